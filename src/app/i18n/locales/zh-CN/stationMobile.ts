// Station pages on a phone (issue 15): paged lists with search, named phones, open enrollment codes.
export default {
  pager: {
    search: '搜索',
    searchHint: '名称或县区的一部分',
    staffHint: '姓名的一部分',
    range: '第 {from}–{to} 条，共 {total} 条',
    none: '没有符合的条目。',
    previous: '上一页',
    next: '下一页',
  },
  phones: {
    deviceName: '手机名称',
    deviceNameHint: '例如“3号车 手机A”，列表里按这个名字显示',
    pending: '待上传',
    pendingValue: '{n} 条（{when}）',
    unknown: '未知',
    rename: '改名',
    renamePrompt: '新名称',
    renamed: '已改名为 {name}',
    openCodes: '未使用的注册码',
    openCodesNone: '没有未使用的注册码。',
    codeFor: '给“{name}”',
    codeUnnamed: '未命名',
    codeExpires: '有效期至 {when}',
    withdraw: '作废',
    confirmWithdraw: '作废这个注册码？用它的手机将无法注册。',
    withdrawn: '注册码已作废。',
  },
  report: {
    latestWithData: '已打开有数据的最近年份：{year} 年。',
    noData: '{year} 年没有任何记录。',
  },
}
