// The body's font stack (tokens.css --font-body) at the lock screen's weights (src/app/main.ts).
const FONT_BODY =
  "system-ui, -apple-system, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"
try {
  const context = new OffscreenCanvas(1, 1).getContext('2d')
  for (const weight of [400, 600, 700]) {
    context.font = `${weight} 17px ${FONT_BODY}`
    context.measureText('献血车 Aa1')
  }
} catch {
  // no OffscreenCanvas: the first layout finds the fonts
}
close()
