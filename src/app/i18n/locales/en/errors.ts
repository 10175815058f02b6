export default {
  record: {
    invalid_record: 'The record is incomplete or wrong: {detail}',
    unknown_drive: 'This phone has no such drive.',
    drive_closed: 'This drive is closed: nothing more can be recorded.',
    drive_already_closed: 'This drive is already closed.',
    duplicate_din: 'This bag number is already used on this drive.',
    unknown_target: 'This phone has no such record.',
    already_voided: 'This record is already voided.',
    not_voidable: 'This kind of record cannot be voided.',
    not_correctable: 'This kind of record cannot be corrected.',
  },
  api: {
    network: 'Cannot reach the station server. Check the network and try again.',
    server: 'The station server refused ({code}): {message}',
    too_many_attempts: 'Too many wrong attempts. Wait a while, or scan the QR code instead of typing.',
  },
  storageFull: 'The phone’s storage is full; nothing was saved. Free some space and try again.',
  unexpected: 'Something went wrong: {message}',
}
