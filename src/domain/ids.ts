// Record ids are made where the record is made (phone or server): UUIDv7, time-ordered.
import { uuidv7 } from 'uuidv7'

export function newId(): string {
  return uuidv7()
}
