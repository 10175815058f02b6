export default {
  record: {
    invalid_record: '记录不完整或有误：{detail}',
    unknown_drive: '本机没有这个车次。',
    drive_closed: '本车次已结束，不能再登记。',
    drive_already_closed: '本车次已经结束过了。',
    duplicate_din: '此血袋号在本车次已经用过。',
    unknown_target: '本机没有这条记录。',
    already_voided: '这条记录已经作废。',
    not_voidable: '这种记录不能作废。',
    not_correctable: '这种记录不能更正。',
  },
  api: {
    network: '连不上血站服务器。请检查网络后重试。',
    server: '血站服务器拒绝了请求（{code}）：{message}',
    too_many_attempts: '错误尝试次数过多。请稍候再试，或改为扫描二维码。',
  },
  storageFull: '手机存储空间已满，未能保存。请清理空间后重试。',
  unexpected: '出错了：{message}',
}
