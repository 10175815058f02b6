export default {
  record: {
    invalid_record: 'The record is incomplete or wrong: {detail}',
    unknown_drive: 'This phone has no such drive.',
    drive_closed: 'This drive is closed: nothing more can be recorded.',
    drive_already_closed: 'This drive is already closed.',
    duplicate_din: 'This bag number is already used on this phone (this drive or another).',
    unknown_target: 'This phone has no such record.',
    already_voided: 'This record is already voided.',
    not_voidable: 'This kind of record cannot be voided.',
    not_correctable: 'This kind of record cannot be corrected.',
    // rules: hard stops and overrides
    same_day_donation: 'This donor has already given today: no second donation on the same day.',
    override_not_leader: 'Only the leader of this drive can approve an exception.',
    override_required: 'Too soon after the last donation: the drive leader must approve an exception before saving.',
  },
  api: {
    network: 'Cannot reach the station server. Check the network and try again.',
    server: 'The station server refused ({code}): {message}',
    too_many_attempts: 'Too many wrong attempts. Wait a while, or scan the QR code instead of typing.',
  },
  attention: {
    not_rejected: 'This record no longer needs attention (it may have been dealt with).',
    not_voidable: 'This kind of record cannot be voided.',
    not_correctable: 'Only donations and deferrals can be corrected.',
  },
  storageFull: 'The phone’s storage is full; nothing was saved. Free some space and try again.',
  unexpected: 'Something went wrong: {message}',
}
