export default {
  title: '献血车 · 登记本机',
  intro: '第一次使用：输入血站给的登记码，或扫描登记二维码。需要联网一次，之后可离线工作。',
  offline: '现在没有网络。登记需要联网。',
  codeLabel: '登记码',
  codeHint: '在血站管理页面生成',
  codeRequired: '请输入登记码',
  scan: '扫描登记二维码',
  scanTitle: '扫描登记二维码',
  submit: '登记本机',
  enrolling: '正在登记…',
}
