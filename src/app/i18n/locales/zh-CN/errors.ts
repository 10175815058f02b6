export default {
  record: {
    invalid_record: '记录不完整或有误：{detail}',
    unknown_drive: '本机没有这个车次。',
    drive_closed: '本车次已结束，不能再登记。',
    drive_already_closed: '本车次已经结束过了。',
    duplicate_din: '此血袋号已在本机的记录中用过（本车次或另一车次）。',
    unknown_target: '本机没有这条记录。',
    already_voided: '这条记录已经作废。',
    not_voidable: '这种记录不能作废。',
    not_correctable: '这种记录不能更正。',
    // rules: hard stops and overrides
    same_day_donation: '此献血者今天已经献过血，同一天不能再次献血。',
    override_not_leader: '只有本车次负责人可以批准例外。',
    override_required: '此人献血间隔不足，需要本车次负责人批准例外后才能保存。',
  },
  api: {
    network: '连不上血站服务器。请检查网络后重试。',
    server: '血站服务器拒绝了请求（{code}）：{message}',
    too_many_attempts: '错误尝试次数过多。请稍候再试，或改为扫描二维码。',
  },
  attention: {
    not_rejected: '这条记录已经不在需要处理的列表里（可能已经处理过）。',
    not_voidable: '这种记录不能作废。',
    not_correctable: '只有献血和暂缓记录可以更正。',
  },
  storageFull: '手机存储空间已满，未能保存。请清理空间后重试。',
  unexpected: '出错了：{message}',
}
