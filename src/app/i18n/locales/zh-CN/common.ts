export default {
  appName: '献血车',
  language: '语言',
  save: '保存',
  saved: '已保存',
  cancel: '取消',
  back: '返回',
  next: '下一步',
  close: '关闭',
  confirm: '确认',
  required: '必填',
  notFound: {
    title: '找不到这个页面',
    body: '地址 {path} 不存在，可能是输错了或链接已过时。',
    toDrives: '回到车次列表',
    toStation: '回到血站看板',
  },
}
