"""What teachers and counsellors write: contact summaries, concerns and counselling notes.

A text is an opening, a body and a closing drawn from the pools below and filled with the child's
given name (`{name}`), how the teacher addresses the guardian (`{rel}`, e.g. 奶奶) and the parent
meant (`{parent}`, 爸爸 / 妈妈). `Writer.write` never gives the same text twice in a school: a
teacher's log says something about this child on this day, not a stock sentence.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

ATTEMPTS = 12

Parts = tuple[Sequence[str], Sequence[str], Sequence[str]]

GUARDIAN_OPENINGS = {
    "phone": ["给{name}{rel}打电话，", "电话联系{name}{rel}，", "晚饭后和{name}{rel}通电话，"],
    "meeting": [
        "{rel}来校接{name}时面谈，",
        "放学时和{name}{rel}在校门口聊了几句，",
        "{rel}到校给{name}送衣服，顺便交流，",
        "约{name}{rel}到办公室面谈，",
    ],
    "video": ["和{name}{rel}视频通话，", "用微信视频联系{name}{rel}，"],
}
GUARDIAN_BODIES = [
    "了解{name}这周在家的作息",
    "反馈{name}本月数学测验有进步",
    "{rel}说{name}最近饭量正常、身体不错",
    "{rel}反映{name}晚上看电视睡得较晚",
    "{rel}说{name}周末会帮着喂鸡、扫地",
    "交流{name}的作业完成情况，最近几次都按时交了",
    "提醒天冷了给{name}多添件衣服",
    "{rel}担心{name}周末玩手机时间太长",
    "聊到{name}最近爱看课外书，常去图书角借书",
    "说到{name}这段时间上学没有迟到",
    "{rel}反映{name}回家后不太愿意说学校的事",
    "反馈{name}上课举手发言比以前多了",
    "{rel}说{name}前几天有点咳嗽，现已好转",
    "交流{name}和弟弟妹妹相处的情况",
]
GUARDIAN_CLOSINGS = [
    "，约定每天督促{name}按时完成作业。",
    "，请{rel}多表扬、多鼓励。",
    "，顺带提醒放学路上注意交通安全。",
    "，{rel}表示会多留意。",
    "，下次家访再细聊。",
    "，请{rel}晚上九点前让孩子睡觉。",
    "。",
]

PARENT_OPENINGS = {
    "phone": [
        "给{name}{parent}打电话，",
        "与在外务工的{name}{parent}通话，",
        "晚上联系上{name}{parent}，",
    ],
    "video": ["和{name}{parent}视频通话，", "用微信视频联系{name}{parent}，"],
}
PARENT_BODIES = [
    "反馈{name}在校表现不错",
    "介绍{name}近期的学习情况",
    "{parent}问起{name}期中考试的成绩",
    "说了{name}在运动会上跑步得奖的事",
    "{parent}说最近厂里加班多，很少给家里打电话",
    "交流{name}的心理状态，孩子有些想家",
    "说到{name}最近和同学相处融洽",
    "{parent}关心{name}在家有没有按时吃饭",
    "反馈{name}的作业偶尔拖拉",
    "介绍学校近期的关爱活动，{name}都参加了",
]
PARENT_CLOSINGS = [
    "，建议每周至少和孩子通一次电话。",
    "，{parent}说春节回家时来学校看看。",
    "，请{parent}多听孩子说话、少批评。",
    "，{parent}委托老师多关照孩子。",
    "，约好下个月再联系。",
    "，{parent}表示会抽空多和孩子视频。",
    "。",
]

FAMILY_CALL_OPENINGS = {
    "phone": [
        "指导{name}用亲情电话给{parent}打电话，",
        "午休时陪{name}在亲情电话室给{parent}打电话，",
        "组织{name}给{parent}打电话，",
    ],
    "video": ["用学校电脑帮{name}和{parent}视频，", "在亲情视频室帮{name}连线{parent}，"],
    "letter": ["指导{name}给{parent}写信，", "{name}在作文课上给{parent}写了一封信，"],
}
FAMILY_CALL_BODIES = {
    "spoken": [
        "讲了本月考试的情况",
        "说了学校运动会的事",
        "说自己想{parent}了",
        "报了平安",
        "讲了在学校交到的新朋友",
        "说了自己当上小组长的事",
        "讲了周末帮{rel}干活的事",
    ],
    "letter": [
        "写了自己的学习和生活",
        "说了心里话和最近的进步",
        "写了想对{parent}说的话",
        "讲了学校里的趣事",
    ],
}
FAMILY_CALL_CLOSINGS = {
    "spoken": [
        "，通话约十分钟。",
        "，孩子情绪很好。",
        "，之后有点想家，已安慰。",
        "，{parent}叮嘱孩子听老师的话。",
        "。",
    ],
    "letter": ["，已帮忙寄出。", "，信已拍照发给{parent}。", "。"],
}

TALK_OPENINGS = [
    "课间和{name}谈心，",
    "午饭时和{name}坐在一起聊天，",
    "放学后留{name}聊了一会儿，",
    "辅导{name}作业时顺便谈心，",
    "和{name}在操场散步谈心，",
]
TALK_BODIES = [
    "聊了这周在学校的开心事和烦恼",
    "{name}说最近和同桌相处很好",
    "{name}说数学有道题一直没弄懂，已讲解",
    "了解到{name}和同学闹了点矛盾，已帮助和好",
    "{name}说周末在家看了一本好书",
    "{name}说最近晚上睡得不太好",
    "聊了{name}喜欢的画画和手工",
    "{name}主动说了自己期末考试的目标",
    "{name}说这周值日做得很认真",
]
TALK_BODIES_MISSING_PARENT = ["{name}说想念{parent}", "{name}说{parent}答应过年回来"]
TALK_CLOSINGS = [
    "，孩子情绪稳定。",
    "，鼓励孩子有心事随时来找老师。",
    "，约好下周再聊。",
    "，表扬了孩子的进步。",
    "，提醒按时完成作业。",
    "。",
]

HOME_VISIT_OPENINGS = [
    "到{name}家家访，",
    "入户家访{name}，",
    "周六走访{name}家，",
    "和副班主任一起到{name}家家访，",
]
HOME_VISIT_BODIES = [
    "与{rel}面谈，查看了学习环境，家里为孩子准备了书桌",
    "了解孩子在家的生活和学习，{rel}身体尚可，能照顾饮食起居",
    "向{rel}宣传防溺水、用电安全知识，查看了家中安全隐患",
    "与{rel}沟通学习习惯，建议每天固定时间写作业",
    "孩子家离学校较远，与{rel}商量上下学接送安全",
    "看了孩子的作业本，与{rel}交流书写习惯",
    "{rel}说孩子在家很懂事，会帮忙做饭",
]
HOME_VISIT_CLOSINGS = [
    "，家访约四十分钟。",
    "，已填写家访记录表。",
    "，{rel}很感谢老师上门。",
    "，约定期末再来。",
    "。",
]

OTHER_CHILD_OPENINGS = [
    "与{name}{parent}电话沟通，",
    "{name}{parent}来校面谈，",
    "放学时和{name}{parent}交流，",
]
OTHER_CHILD_BODIES = [
    "反馈孩子近期的学习情况",
    "反映孩子上课注意力不够集中",
    "沟通孩子作业书写的问题",
    "表扬孩子最近进步明显",
    "交流孩子在家的阅读习惯",
    "说到孩子最近爱帮同学",
]
OTHER_CHILD_CLOSINGS = ["，请在家多督促。", "，家长表示会配合。", "，约定一个月后再沟通。", "。"]

PARENTS_MEETING_OPENINGS = ["{name}{rel}参加本学期家长会，", "家长会上与{name}{rel}交流，"]
PARENTS_MEETING_BODIES = [
    "了解学校工作和孩子在校表现",
    "听取了期中学习情况通报",
    "会后单独交流了孩子的学习",
    "领取了孩子的期中成绩单",
    "看了孩子的作业展",
]
PARENTS_MEETING_CLOSINGS = ["。", "，并签了安全责任书。", "，{rel}表示会多配合学校。"]

CONCERNS = [
    "{name}近期上课注意力不集中，作业拖拉",
    "监护人年纪大，辅导{name}的作业有困难",
    "{name}想念父母，最近情绪低落",
    "{name}周末长时间玩手机",
    "监护人身体不好，{name}放学后常无人照看",
    "{name}和同学发生冲突，需要持续关注",
    "{name}的成绩下滑明显",
    "家中经济困难，{name}冬衣不足",
]

COUNSELLING_OPENINGS = [
    "个别辅导：",
    "心理辅导室谈话：",
    "班主任转介，个别辅导：",
    "沙盘游戏辅导：",
]
COUNSELLING_BODIES = {
    "low": [
        "{name}说起想{parent}，情绪总体稳定",
        "{name}表达较顺畅，未见明显异常",
        "了解到{name}和祖辈沟通少",
        "{name}考试前紧张，教了放松呼吸的方法",
        "{name}和同学闹别扭，已引导换位思考",
        "{name}最近睡前容易想家",
    ],
    "medium": [
        "{name}近两周情绪低落，不愿与同学交往",
        "{name}有厌学表现，常说读书没用",
        "{name}多次与同学冲突，容易发怒",
        "{name}上课常发呆，作业经常不交",
        "{name}说晚上常做噩梦，害怕一个人睡",
    ],
    "high": [
        "{name}流露出不想活的念头",
        "{name}手臂有自伤划痕，长期失眠",
        "{name}在日记中写到活着没意思",
        "{name}近期拒绝进食、整日哭泣",
    ],
}
COUNSELLING_CLOSINGS = {
    "low": ["，建议班主任多关注。", "，一个月后回访。", "，已记入心理档案。", "。"],
    "medium": [
        "，建议班主任和家长加强联系。",
        "，约定每周辅导一次。",
        "，已与监护人沟通，需持续关注。",
    ],
    "high": [
        "，已立即告知校领导并联系父母，转介专业机构。",
        "，已通知监护人和家长，安排每日关注。",
        "，已启动危机干预，班主任和辅导员每日跟进。",
    ],
}


class Writer:
    """Composes the texts of one school; remembers them so none is written twice."""

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random
        self.seen: set[str] = set()

    def write(self, parts: Parts, day: date | None = None, **names: str) -> str:
        """An unused text from `parts`; after ATTEMPTS draws the `day` is put in front."""
        random = self.random
        openings, bodies, closings = parts
        text = ""
        for _ in range(ATTEMPTS):
            text = (
                openings[int(random() * len(openings))]
                + bodies[int(random() * len(bodies))]
                + closings[int(random() * len(closings))]
            ).format(**names)
            if text not in self.seen:
                break
        else:
            if day is not None:
                text = f"{day.month}月{day.day}日，{text}"
        self.seen.add(text)
        return text


# 成长观察: a head teacher's one-line view of a left-behind child's term, by how the term went.
OBSERVATION_OPENINGS = [
    "本学期{name}", "这学期{name}", "{name}本学期", "{name}这学期", "与上学期相比，{name}",
    "{name}在校期间", "从日常表现看，{name}",
]  # fmt: skip
OBSERVATION_BODIES = {
    "better": [
        "上课更专注了，作业基本按时交", "和{parent}通话后情绪明显好转", "主动举手发言的次数多了",
        "交到了两个好朋友，课间常一起玩", "能自己整理书包和床铺", "学习劲头比以前足",
        "愿意和老师说心里话了", "数学进步较大，订正也认真",
    ],
    "steady": [
        "学习、生活总体平稳", "作业完成情况一般，需督促", "性格安静，与同学相处融洽",
        "生活自理能力较好", "上课偶尔走神，提醒后能改正", "成绩保持在班级中游",
        "情绪稳定，偶尔想家", "做事认真但比较慢", "劳动积极，热心集体事务",
    ],
    "worse": [
        "作业拖拉现象增多", "上课注意力不如以前集中", "有时闷闷不乐，不太愿意说话",
        "和{rel}沟通少，周末常一个人玩手机", "个人卫生需要常提醒",
    ],
    "fall_study": [
        "成绩下滑明显，几门功课都跟不上", "多次不交作业，考试明显退步",
        "上课常发呆，期中考试成绩大幅下降",
    ],
    "fall_emotion": [
        "情绪低落，常一个人发呆，很少和同学交流", "近来容易哭闹、发脾气，说很想{parent}",
        "变得沉默寡言，课间不愿出教室",
    ],
}  # fmt: skip
OBSERVATION_CLOSINGS = {
    "better": ["，继续鼓励。", "，值得表扬。", "，进步看得见。", "。"],
    "steady": ["，继续关注。", "，需多鼓励。", "，已和{rel}沟通。", "。"],
    "worse": ["，需加强联系。", "，已提醒{rel}多关心。", "，下学期重点关注。", "。"],
    "fall": [
        "，需尽快家访，与{parent}沟通。", "，已告知{rel}，准备安排谈心。",
        "，需重点关注，建议联系心理辅导员。",
    ],
}  # fmt: skip
