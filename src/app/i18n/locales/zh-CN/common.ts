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
}
