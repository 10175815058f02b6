// Site and crew pickers, the unlock list's search, and the PIN lockout.
export default {
  search: {
    placeholder: '输入汉字、拼音或首字母',
    none: '没有找到“{q}”',
    more: '还有 {n} 个，请输入更多字',
    clear: '清除搜索',
  },
  site: {
    search: '采血地点',
    forChannel: '只显示“{channel}”的地点',
    chosen: '已选：{name}',
    change: '更换地点',
    recent: '最近去过',
  },
  crew: {
    search: '查找随车人员',
    chosen: '已选 {n} 人',
    remembered: '已按上一车次填好人员和车号，可修改。',
  },
  signOff: {
    wait: '密码输错次数较多，请几秒后再试',
    locked: '{name} 的密码已锁定：请在锁屏界面由车长解锁，或请血站重设密码',
  },
  unlock: {
    search: '查找姓名',
    crew: '本车次人员',
    lastCrew: '上一车次人员',
    others: '其他人员',
    lockedBadge: '已锁定',
    wrongPin: '密码不正确，还可再试 {n} 次',
    wait: '输错次数较多，请 {s} 秒后再试',
    locked: '{name} 连续输错密码 {n} 次，已锁定。',
    lockedHelp: '请车长输入自己的密码解锁；或请血站重新设置此人的密码，联网同步后解锁。',
    askLeader: '请车长解锁',
    chooseLeader: '选择车长',
    leaderPinTitle: '{leader}，请输入您的密码为 {name} 解锁',
    leaderUnlock: '解锁',
    unlocked: '已由 {leader} 解锁，请 {name} 重新输入密码。',
    noLeader: '本机名单中没有可以解锁的车长，请联系血站重新设置密码。',
    not_leader: '此人不能解锁',
    back: '返回',
  },
}
