export default {
  title: '扫码',
  hint: '将条码或二维码对准取景框',
  starting: '正在打开相机…',
  scanning: '正在识别…',
  cancel: '取消扫码',
  torchOn: '打开闪光灯',
  torchOff: '关闭闪光灯',
  retry: '重试',
  typeInstead: '也可以关闭扫码，手动输入。',
  problem: {
    unsupported: '此浏览器无法使用相机（需要 HTTPS 或已安装的应用）。',
    denied: '没有相机权限。请在浏览器设置中允许本应用使用相机。',
    noCamera: '没有找到可用的相机。',
    busy: '相机正被其他应用占用，请关闭后重试。',
    failed: '相机或识别组件启动失败。',
  },
}
