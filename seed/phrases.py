"""Chinese text pools for generated records: child profiles, guardians' forms of address,
pairing goals, sponsors. What teachers and counsellors write is composed in seed/texts.py."""

from __future__ import annotations

PERSONALITIES = [
    "性格开朗，爱交朋友", "性格内向，不爱说话", "活泼好动，集体意识强", "文静懂事，做事认真",
    "较敏感，遇事容易哭", "自尊心强，不服输", "胆小，课堂上很少发言", "热心，乐于帮助同学",
    "倔强，有时和同学闹矛盾", "懂事早，会照顾弟妹",
]  # fmt: skip
HOBBIES = [
    "画画", "踢足球", "看书", "唱歌", "跳绳", "打篮球", "下象棋", "写毛笔字", "跳舞",
    "做手工", "打乒乓球", "种花养鱼", "讲故事", "折纸",
]  # fmt: skip
STUDY_LEVELS = [("优", 18), ("良", 37), ("中", 33), ("差", 12)]
HEALTH_NOTES = [
    ("健康", 80), ("轻度近视", 7), ("过敏性鼻炎", 3), ("营养不良", 3), ("哮喘", 1),
    ("先天性心脏病（已手术）", 1), ("体弱，易感冒", 5),
]  # fmt: skip
PSYCHOLOGY_NOTES = [
    "想念父母时情绪低落", "不愿谈及家庭", "偶有厌学情绪", "与祖辈沟通少", "缺乏安全感",
    "容易发脾气", "自卑，不敢表达",
]  # fmt: skip
DISABILITIES = ["轻度听力障碍", "肢体残疾（四级）", "轻度智力障碍", "视力残疾（低视力）"]

# Short labels as guardians are called in conversation.
RELATION_CALLS = {
    "祖母": "奶奶", "祖父": "爷爷", "外祖母": "外婆", "外祖父": "外公", "叔叔": "叔叔",
    "姑姑": "姑姑", "伯父": "伯父", "舅舅": "舅舅", "哥哥": "哥哥", "父亲": "爸爸",
    "母亲": "妈妈",
}  # fmt: skip

PAIRING_GOALS = [
    "每周谈心一次，关注情绪变化",
    "帮助孩子养成按时完成作业的习惯",
    "提高数学成绩，争取期末达到良好",
    "引导孩子多与同学交往，变得开朗",
    "督促孩子每月与父母通话，增进亲子感情",
    "关注孩子生活，冬季添衣、生病及时就医",
]  # fmt: skip

SPONSORS = [
    "爱心妈妈 李桂芳（县妇联）", "爱心妈妈 王丽（县人民医院）", "爱心妈妈 陈晓燕（县农商银行）",
    "爱心妈妈 刘敏（县税务局）", "爱心妈妈 张春梅（个体工商户）", "爱心妈妈 周红（县教育局）",
]  # fmt: skip
