"""Synthetic Chinese complaints for demos and benchmarks: pure, deterministic for a seed and a "now".

Why a hand-written generator rather than a faker library: the text has to look like what a counter in
mainland China actually hears (surnames in their real frequency order, mobile prefixes that validate,
per-category wording with products, shops, amounts and dates), it must be reproducible so a benchmark
run can be repeated, and it must be cheap next to writing the cases (a small share of a seeding run).

Nothing here touches the database or the rules: ``seed.py`` registers these plain records through the
services' own functions (``registration_data`` is what the registration form would send).
"""

from __future__ import annotations

import random
import string
from bisect import bisect
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from kesu_desktop.domain.enums import Channel, Priority, Severity

# -- people -----------------------------------------------------------------------------------------

#: The most common surnames, most frequent first (王、李、张 alone cover about a fifth of the population).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华红玲鹏飞斌浩宇欣怡婷雪琳晨阳凯鑫宁波辉"
    "建国文志海燕梅莉萍俊涵轩嘉思雨佳诺博蕾桐瑶"
)

#: Mainland mobile prefixes that phonenumbers accepts as valid for region CN (checked by a test).
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
)
MEMBER_LEVELS = ("普通会员", "银卡会员", "金卡会员", "钻石会员")
_MAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "outlook.com")

# -- places -----------------------------------------------------------------------------------------

CITIES: dict[str, tuple[str, ...]] = {
    "北京": ("朝阳", "海淀", "东城", "西城", "丰台", "通州"),
    "上海": ("浦东", "徐汇", "静安", "闵行", "杨浦"),
    "广州": ("天河", "越秀", "海珠", "番禺"),
    "深圳": ("南山", "福田", "罗湖", "宝安", "龙岗"),
    "杭州": ("西湖", "滨江", "余杭", "拱墅"),
    "成都": ("锦江", "武侯", "高新", "成华"),
    "武汉": ("江汉", "洪山", "武昌"),
    "南京": ("鼓楼", "玄武", "建邺"),
    "西安": ("雁塔", "碑林", "未央"),
    "重庆": ("渝中", "江北", "南岸"),
}
_CITY_NAMES = tuple(CITIES)
_MALLS = ("万达广场", "大悦城", "万象城", "吾悦广场", "银泰城", "龙湖天街", "印象城", "凯德广场", "来福士")
_ROADS = ("人民", "建设", "解放", "中山", "和平", "长安", "新华", "友谊", "光明", "滨河")

# -- what people complain about ---------------------------------------------------------------------

#: Slot vocabulary shared by all categories; a category's own vocabulary below takes precedence.
_VOCAB: dict[str, tuple[str, ...]] = {
    "n": ("2", "3", "5", "7", "10", "15", "20"),
    "amount": ("39", "68", "128", "199", "299", "458", "899", "1299", "2680", "3999", "5499"),
    "staff": ("营业员", "收银员", "客服专员", "店长", "导购", "安装师傅", "热线坐席", "维修师傅"),
    "behavior": (
        "态度冷漠、爱答不理",
        "说话很冲，还当众嘲讽顾客",
        "互相推诿，谁也不肯办",
        "不耐烦地让我自己去看说明书",
        "说“这不是我的工作范畴”",
        "一直低头玩手机不理人",
        "说“我们有规定”就不再解释",
        "答应回电却再也没有消息",
    ),
    "courier": ("顺丰", "中通", "圆通", "韵达", "申通", "京东物流", "极兔", "EMS"),
    "problem": (
        "超过{n}天仍未送达",
        "送到时外箱严重破损",
        "未经同意就放进了快递柜",
        "签收后发现少了一件",
        "物流信息{n}天没有更新",
        "快递员没有送货上门就显示已签收",
        "被通知丢件却一直没有赔偿",
    ),
    "app": ("手机App", "网上营业厅", "微信小程序", "自助终端", "官网商城"),
    "sysfault": (
        "支付成功但订单显示未支付",
        "登录时一直提示系统繁忙",
        "优惠券无法使用",
        "同一笔订单被重复扣款",
        "页面频繁闪退",
        "收不到短信验证码",
        "提交退货申请时报错",
    ),
    "fee": ("流量包费用", "会员自动续费", "增值业务费", "国际漫游费", "滞纳金", "安装调试费", "设备租赁费"),
    "netfault": ("经常断线", "网速远低于签约的{speed}M", "晚上高峰期几乎无法上网", "光猫指示灯一直闪红灯"),
    "speed": ("100", "300", "500", "1000"),
    "place": ("小区地下车库", "办公室", "地铁站", "家里卧室", "老家村里", "商场里"),
    "biz": ("套餐变更", "过户手续", "销户", "发票开具", "退订业务", "补办会员卡", "实名认证"),
    "bizproblem": (
        "排队等了{hours}个小时",
        "被告知材料不全，却没有一次性告知需要哪些材料",
        "办理后系统一直没有生效",
        "工作人员操作失误导致重复办理",
    ),
    "vas": ("彩铃业务", "视频会员", "云盘扩容", "游戏包月", "手机阅读包", "来电提醒"),
    "promo": (
        "全场五折",
        "买一送一",
        "赠送价值{amount}元的礼品",
        "免费上门安装",
        "30天无理由退货",
        "以旧换新补贴",
    ),
    "reality": (
        "结算时并不享受优惠",
        "赠品一直没有发放",
        "另外收取了安装费",
        "退货时被拒绝",
        "补贴被各种理由扣掉",
    ),
    "hours": ("1", "2", "3"),
    "days": ("3", "5", "7"),
    "hazard": ("突然冒烟起火", "外壳漏电，手摸上去发麻", "使用中发生爆裂", "插头处烧焦"),
}

_CATEGORY_VOCAB: dict[str, dict[str, tuple[str, ...]]] = {
    "product_quality": {
        "product": (
            "冰箱",
            "洗衣机",
            "空调",
            "电视机",
            "手机",
            "笔记本电脑",
            "扫地机器人",
            "电饭煲",
            "热水器",
            "空气净化器",
            "吸尘器",
            "微波炉",
            "蓝牙耳机",
            "智能手表",
            "净水器",
            "油烟机",
        ),
    },
    "after_sales": {
        "product": (
            "冰箱",
            "洗衣机",
            "空调",
            "电视机",
            "热水器",
            "扫地机器人",
            "油烟机",
            "净水器",
            "笔记本电脑",
        ),
        "amount": ("30", "50", "80", "100", "120", "150", "200"),
    },
    "network_quality": {"product": ("家庭宽带", "5G套餐", "光纤宽带", "融合套餐", "手机信号")},
    "billing_dispute": {
        "product": ("话费账单", "宽带账单", "会员服务", "融合套餐"),
        "amount": ("5", "10", "15", "20", "30", "58", "99", "128", "300"),
    },
    "value_added_service": {
        "product": ("增值业务", "会员服务", "彩铃业务", "视频会员"),
        "amount": ("3", "5", "6", "10", "15", "20", "25", "30"),
    },
    "system_failure": {"product": ("手机App", "网上营业厅", "微信小程序", "官网商城")},
    "logistics": {"product": ("冰箱", "电视机", "手机", "空气净化器", "床垫", "沙发", "书桌", "扫地机器人")},
    "business_handling": {"product": ("营业厅业务", "会员卡", "宽带业务", "发票")},
    "service_attitude": {"product": ("柜台服务", "热线服务", "上门服务", "门店服务")},
    "false_advertising": {"product": ("促销活动", "空调", "冰箱", "手机", "电视机", "扫地机器人")},
    "other": {"product": ("停车服务", "会员积分", "商场设施", "门店服务")},
}

#: Faults that fit each product (a fridge does not "fail to charge").
_FAULTS: dict[str, tuple[str, ...]] = {
    "冰箱": ("不制冷", "冷藏室结冰", "压缩机异响严重", "门封条脱落"),
    "洗衣机": ("漏水", "脱水时剧烈晃动", "无法排水", "显示故障代码"),
    "空调": ("不制冷", "外机噪音很大", "室内机漏水", "遥控失灵"),
    "电视机": ("屏幕出现竖线", "无法开机", "频繁黑屏", "遥控失灵"),
    "手机": ("充不进电", "频繁死机", "屏幕失灵", "发热严重"),
    "笔记本电脑": ("频繁蓝屏", "键盘按键失灵", "发热严重", "无法开机"),
    "扫地机器人": ("无法回充", "频繁卡住不动", "异响严重", "App连接不上"),
    "电饭煲": ("煮饭夹生", "内胆涂层脱落", "有焦糊味", "按键失灵"),
    "热水器": ("不出热水", "漏水", "显示故障代码", "自动断电"),
    "空气净化器": ("异味很大", "无法开机", "噪音很大", "滤网报警不消除"),
    "吸尘器": ("吸力明显下降", "充不进电", "外壳开裂", "有焦糊味"),
    "微波炉": ("不加热", "门关不严", "转盘不转", "自动断电"),
    "蓝牙耳机": ("一边没有声音", "充不进电", "频繁断连", "电池鼓包"),
    "智能手表": ("屏幕失灵", "充不进电", "心率数据异常", "表带断裂"),
    "净水器": ("漏水", "出水有异味", "滤芯提示异常", "无法制水"),
    "油烟机": ("吸力很弱", "噪音很大", "漏油", "自动断电"),
}
_DEFAULT_FAULTS = ("无法正常使用", "质量问题明显", "故障频繁")

_TEMPLATES: dict[str, tuple[str, ...]] = {
    "product_quality": (
        "我于{date}在{store}购买的{product}，使用不到{n}天就出现{fault}的问题，多次联系客服未果，要求退款。",
        "{date}收到的{product}{fault}，怀疑是质量问题，拆箱视频和照片都有，请尽快处理。",
        "新买的{product}才用了{n}天就{fault}，售价{amount}元，质量太差，要求换新。",
        "在{store}买的{product}出现{fault}，已经是第二次维修，仍未解决，要求退货退款。",
    ),
    "service_attitude": (
        "{date}在{store}办理业务时，{staff}{behavior}，让人非常气愤，要求道歉。",
        "拨打客服热线咨询问题，{staff}{behavior}，通话{n}分钟问题仍未解决，要求对该员工进行处理。",
        "{date}带老人去{store}，{staff}{behavior}，服务意识太差，希望公司加强管理。",
    ),
    "logistics": (
        "{date}下单的{product}由{courier}承运，{problem}，订单金额{amount}元，要求尽快处理并赔偿。",
        "网购的{product}{problem}，联系{courier}客服一直推脱，要求给出明确的处理时间。",
        "{courier}配送的{product}{problem}，商家和快递互相推责任，要求退款。",
    ),
    "system_failure": (
        "{date}使用{app}时{sysfault}，扣款{amount}元，联系在线客服没有结果，要求退款。",
        "最近{n}天{app}{sysfault}，严重影响正常使用，请尽快修复并给出说明。",
        "通过{app}下单时{sysfault}，导致优惠活动错过，要求补偿差价{amount}元。",
    ),
    "billing_dispute": (
        "{date}的账单中多出一笔{amount}元的{fee}，本人从未订购，要求退还并解释原因。",
        "连续{n}个月被收取{fee}，每月{amount}元，办理时没有任何告知，要求全额退款。",
        "账单显示{fee}{amount}元，与营业员承诺的资费不符，要求按承诺执行并退还差额。",
    ),
    "network_quality": (
        "家中宽带自{date}以来{netfault}，报修{n}次仍未解决，影响居家办公，要求减免当月费用。",
        "手机在{place}信号很差，通话经常中断，投诉过{n}次没有改善，要求尽快优化网络。",
        "办理的{product}{netfault}，与宣传严重不符，要求退订并退还费用。",
    ),
    "business_handling": (
        "在{store}办理{biz}，{bizproblem}，前后跑了{n}趟，要求给个说法。",
        "{date}申请{biz}，{bizproblem}，至今未办结，要求尽快处理。",
        "电话里说可以办理{biz}，到了{store}却{bizproblem}，浪费了半天时间。",
    ),
    "value_added_service": (
        "手机被开通了{vas}，每月扣费{amount}元，本人从未同意，要求退订并退还全部费用。",
        "{date}发现账户里有{vas}扣费，已经扣了{n}个月，要求查明订购来源并退款。",
        "想退订{vas}，{app}里找不到退订入口，客服也说办不了，要求立即退订。",
    ),
    "after_sales": (
        "{product}在保修期内{fault}，申请上门维修后{n}天无人联系，要求尽快安排维修。",
        "维修师傅上门维修{product}，收取{amount}元上门费，事先没有任何告知，要求退还。",
        "{product}送修{n}天还没修好，也没有备用机，要求退款或者换新。",
    ),
    "false_advertising": (
        "{store}宣传页写着{promo}，实际购买{product}时{reality}，属于虚假宣传，要求按宣传兑现。",
        "{date}看到直播间宣传{product}{promo}，下单后{reality}，要求退款并赔偿。",
        "门店承诺{promo}，但{reality}，导购当时的承诺有录音为证。",
    ),
    "other": (
        "{date}在{store}停车场车辆被剐蹭，保安说不归他们管，要求调取监控并协助处理。",
        "会员积分{n}000分被清零，事先没有任何通知，要求恢复积分。",
        "{store}卫生间长期无人打扫，向{staff}反映也没有人处理，希望改进。",
    ),
}

_URGENT_TEMPLATES = (
    "{date}家中的{product}{hazard}，险些造成人身伤害，要求立即派人处理并赔偿损失。",
    "刚买的{product}{hazard}，家里有老人和孩子，非常危险，要求马上处理。",
)

_EXTRAS = (
    "已保留购物小票和照片作为凭证。",
    "这已经是第二次出现同样的问题了。",
    "客服一直让我等通知，没有任何进展。",
    "希望贵公司重视，尽快给我一个答复。",
    "如果不能妥善解决，我会向消费者协会投诉。",
    "我是老顾客了，这次的经历非常失望。",
    "请在{days}个工作日内回复处理结果。",
    "家里老人急需使用，请尽快。",
)

_DEMANDS: dict[str, tuple[str, ...]] = {
    "product_quality": ("退款", "换新", "退货退款", "免费维修", "赔偿损失"),
    "service_attitude": ("道歉", "对相关员工进行处理", "书面道歉"),
    "logistics": ("赔偿", "尽快送达", "退款", "补发商品"),
    "system_failure": ("退款", "修复故障", "补偿差价"),
    "billing_dispute": ("退还多收费用", "解释收费原因", "退款"),
    "network_quality": ("减免费用", "尽快修复", "退订并退款"),
    "business_handling": ("尽快办结", "一次性告知所需材料", "道歉"),
    "value_added_service": ("退订并退款", "查明订购来源", "退款"),
    "after_sales": ("尽快维修", "退还上门费", "换新"),
    "false_advertising": ("按宣传兑现", "退款并赔偿", "退款"),
    "other": ("协助处理", "恢复积分", "改进服务"),
}

_RESULTS = (
    "已为客户办理全额退款{amount}元",
    "已安排上门更换{product}",
    "已向客户当面道歉并对员工进行培训",
    "已补发商品并补偿运费",
    "已退还多收费用{amount}元",
    "已完成维修并延长保修一年",
    "已按宣传兑现优惠",
    "已修复系统故障并补偿差价",
    "已退订相关业务并退还费用",
)
_COMPENSATIONS = ("赠送50元优惠券", "补偿积分500分", "赠送一个月会员", "减免当月费用")
_OPINIONS = ("客户表示满意", "客户接受处理结果", "客户认可处理方案，希望以后不再发生")
_INVALID_REASONS = (
    "经核实，系客户操作不当所致，已耐心解释并指导正确使用",
    "经查询，该费用由客户本人订购的业务产生，已出示订购记录并说明",
    "经核实，商品已超过保修期且为人为损坏，已向客户说明政策",
)
_SURVEY_COMMENTS = ("处理及时", "态度很好", "希望处理再快一些", "问题解决了", "还算满意")

#: Categories this generator can write about: docs/domain.md's default category codes.
CATEGORY_CODES = tuple(_TEMPLATES)
_CATEGORY_WEIGHTS = (18, 10, 14, 8, 12, 8, 7, 6, 9, 4, 4)

_CHANNELS = (Channel.PHONE, Channel.COUNTER, Channel.ONLINE, Channel.SOCIAL, Channel.EMAIL, Channel.LETTER)
_CHANNEL_WEIGHTS = (40, 20, 20, 10, 7, 3)

#: Words every large demo data set contains: the benchmark searches for these.
SEARCH_SAMPLES = {"surname": "张", "word": "退款", "phrase": "扫地机器人"}

MIN_DESCRIPTION, MAX_DESCRIPTION = 30, 200


class _Weighted:
    """A weighted choice with the cumulative weights computed once (random.choices redoes it per call)."""

    def __init__(self, options: Sequence[Any], weights: Sequence[float]) -> None:
        self.options = tuple(options)
        self.cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> Any:
        return self.options[bisect(self.cumulative, rng.random() * self.total)]


_SURNAME = _Weighted(SURNAMES, [1.0 / (rank + 4) for rank in range(len(SURNAMES))])
_MEMBER_LEVEL = _Weighted(MEMBER_LEVELS, (60, 25, 12, 3))
_CHANNEL = _Weighted(_CHANNELS, _CHANNEL_WEIGHTS)
_SCORE = _Weighted((1, 2, 3, 4, 5), (2, 3, 10, 35, 50))

# -- records ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One later workflow step of a demo case: its kind, when it happened, and what was said."""

    kind: str  # verified | assigned | resolved | confirmed | surveyed | closed
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoComplaint:
    """What a customer told the desk, plus how the case went on afterwards (steps before "now" only)."""

    customer_name: str
    phone: str  # E.164, as the registration form stores it
    channel: Channel
    category: str
    description: str
    demand: str | None
    product: str | None
    location: str | None
    occurred_at: datetime
    created_at: datetime
    email: str | None = None
    address: str | None = None
    account_no: str | None = None
    member_level: str | None = None
    severity: Severity | None = None
    priority: Priority | None = None
    urgent: bool = False
    steps: tuple[Step, ...] = ()


def registration_data(c: DemoComplaint) -> dict[str, Any]:
    """The complaint as the registration form (or ``kesu register``) would send it: a JSON object."""
    data: dict[str, Any] = {
        "customer_name": c.customer_name,
        "phone": c.phone,
        "channel": c.channel.value,
        "category": c.category,
        "description": c.description,
        "demand": c.demand,
        "product": c.product,
        "location": c.location,
        "occurred_at": c.occurred_at.isoformat(),
        "email": c.email,
        "address": c.address,
        "account_no": c.account_no,
        "member_level": c.member_level,
        "urgent": c.urgent,
    }
    if c.severity is not None:
        data["severity"] = c.severity.value
    if c.priority is not None:
        data["priority"] = c.priority.value
    return data


@dataclass(frozen=True)
class _Customer:
    name: str
    phone: str
    email: str | None
    address: str | None
    account_no: str | None
    member_level: str | None
    category: str


# -- generation -------------------------------------------------------------------------------------


def generate(
    count: int,
    *,
    seed: int,
    now: datetime,
    tz: str | ZoneInfo = "Asia/Shanghai",
    days: int = 365,
    categories: Sequence[str] | None = None,
) -> Iterator[DemoComplaint]:
    """``count`` complaints registered in the ``days`` before ``now``, oldest first.

    Oldest first because case numbers are handed out in registration order and the repeat rule looks
    only backwards in time; the caller can then process them in batches without looking ahead.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    rng = random.Random(seed)
    allowed = [c for c in (categories or CATEGORY_CODES) if c in _TEMPLATES]
    if not allowed:
        raise ValueError("no known category to generate complaints for")
    category = _Weighted(allowed, [_CATEGORY_WEIGHTS[CATEGORY_CODES.index(c)] for c in allowed])
    recent: deque[_Customer] = deque(maxlen=50)
    for created_ms in _created_instants(rng, count, now, zone, days):
        created = datetime.fromtimestamp(created_ms / 1000, UTC)
        customer = _customer(rng, recent, category)
        recent.append(customer)
        yield _complaint(rng, customer, created, now, zone)


def _created_instants(rng: random.Random, count: int, now: datetime, tz: ZoneInfo, days: int) -> list[int]:
    """Registration instants (Unix ms, sorted) on office-local working-ish hours, fewer at weekends."""
    today = now.astimezone(tz).date()
    now_ms = int(now.timestamp() * 1000)
    midnight: dict[int, int] = {}
    out: list[int] = []
    while len(out) < count:
        offset = rng.randrange(days)
        day = today - timedelta(days=offset)
        if day.weekday() >= 5 and rng.random() < 0.45:
            continue
        # Most complaints arrive in opening hours with a late-morning peak; online ones at any time.
        hours = rng.triangular(8.5, 19.0, 10.5) if rng.random() < 0.85 else rng.uniform(7.0, 22.5)
        start = midnight.get(offset)
        if start is None:
            start = midnight[offset] = int(datetime.combine(day, time(0), tzinfo=tz).timestamp() * 1000)
        ms = start + int(hours * 3_600_000)
        if ms < now_ms:
            out.append(ms)
    out.sort()
    return out


def _pick(rng: random.Random, options: Sequence[str]) -> str:
    return options[int(rng.random() * len(options))]


def _customer(rng: random.Random, recent: deque[_Customer], categories: _Weighted) -> _Customer:
    """A new customer, or (7%) one of the last few who complains again, often about the same thing."""
    if recent and rng.random() < 0.07:
        earlier = recent[-1 - int(rng.random() ** 2 * len(recent))]
        category = earlier.category if rng.random() < 0.7 else categories.pick(rng)
        return _Customer(
            earlier.name,
            earlier.phone,
            earlier.email,
            earlier.address,
            earlier.account_no,
            earlier.member_level,
            category,
        )
    surname: str = _SURNAME.pick(rng)
    if rng.random() < 0.08:
        name = surname + _pick(rng, ("先生", "女士"))
    else:
        name = surname + "".join(_pick(rng, _GIVEN) for _ in range(2 if rng.random() < 0.65 else 1))
    phone = f"+86{_pick(rng, MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
    email = f"{rng.randrange(10**5, 10**10)}@{_pick(rng, _MAIL_DOMAINS)}" if rng.random() < 0.1 else None
    address = None
    if rng.random() < 0.15:
        city = _pick(rng, _CITY_NAMES)
        address = (
            f"{city}市{_pick(rng, CITIES[city])}区{_pick(rng, _ROADS)}路{rng.randrange(1, 300)}号"
            f"{rng.randrange(1, 30)}栋{rng.randrange(1, 30)}0{rng.randrange(1, 6)}室"
        )
    account_no = member_level = None
    if rng.random() < 0.4:
        account_no = f"M{rng.randrange(10**10):010d}"
        member_level = _MEMBER_LEVEL.pick(rng)
    return _Customer(name, phone, email, address, account_no, member_level, categories.pick(rng))


@lru_cache(maxsize=512)
def _slots(template: str) -> tuple[str, ...]:
    return tuple(name for _text, name, _spec, _conv in string.Formatter().parse(template) if name)


def _fill(rng: random.Random, template: str, known: dict[str, str], category: str) -> str:
    """Fill a template's slots (recursively: an option may contain slots of its own)."""
    vocab = _CATEGORY_VOCAB.get(category, {})
    values = {}
    for name in _slots(template):
        if name in known:
            values[name] = known[name]
        else:
            values[name] = known[name] = _pick(rng, vocab.get(name) or _VOCAB[name])
    text = template.format_map(values)
    return _fill(rng, text, known, category) if "{" in text else text


def _complaint(
    rng: random.Random, who: _Customer, created: datetime, now: datetime, tz: ZoneInfo
) -> DemoComplaint:
    category = who.category
    occurred = _occurred_at(rng, created)
    city = _pick(rng, _CITY_NAMES)
    district = _pick(rng, CITIES[city])
    store = f"{city}{district}{_pick(rng, _MALLS)}店" if rng.random() < 0.75 else f"{city}{district}营业厅"
    local = occurred.astimezone(tz)
    product = _pick(rng, _CATEGORY_VOCAB[category]["product"])
    known = {
        "date": f"{local.month}月{local.day}日",
        "store": store,
        "product": product,
        "fault": _pick(rng, _FAULTS.get(product, _DEFAULT_FAULTS)),
    }
    urgent = category in ("product_quality", "after_sales") and rng.random() < 0.06
    template = _pick(rng, _URGENT_TEMPLATES if urgent else _TEMPLATES[category])
    description = _fill(rng, template, known, category)
    for _ in range(int(rng.random() * 3)):
        extra = _fill(rng, _pick(rng, _EXTRAS), known, category)
        if len(description) + len(extra) <= MAX_DESCRIPTION and extra not in description:
            description += extra
    while len(description) < MIN_DESCRIPTION:
        description += _fill(rng, _EXTRAS[len(description) % len(_EXTRAS)], known, category)
    in_store = "store" in _slots(template) or category in ("service_attitude", "business_handling")
    r = rng.random()
    severity = (
        Severity.MINOR if r < 0.12 else None if r < 0.96 else Severity.MAJOR if r < 0.99 else Severity.SERIOUS
    )
    return DemoComplaint(
        customer_name=who.name,
        phone=who.phone,
        channel=_CHANNEL.pick(rng),
        category=category,
        description=description[:MAX_DESCRIPTION],
        demand=_pick(rng, _DEMANDS[category]) if rng.random() < 0.92 else None,
        product=known["product"],
        location=store if in_store else f"{city}{district}",
        occurred_at=occurred,
        created_at=created,
        email=who.email,
        address=who.address,
        account_no=who.account_no,
        member_level=who.member_level,
        severity=severity,
        priority=Priority.P1 if rng.random() < 0.05 else None,
        urgent=urgent,
        steps=_steps(rng, created, now, known),
    )


def _occurred_at(rng: random.Random, created: datetime) -> datetime:
    r = rng.random()
    if r < 0.4:
        gap = timedelta(minutes=rng.randrange(10, 180))
    elif r < 0.8:
        gap = timedelta(hours=rng.uniform(3, 72))
    else:
        gap = timedelta(days=rng.uniform(3, 20))
    return (created - gap).replace(second=0, microsecond=0)


#: (kind, shortest and longest gap after the previous step, in minutes)
_GAPS = {
    "verified": (5, 6 * 60),
    "assigned": (10, 24 * 60),
    "resolved": (120, 8 * 24 * 60),
    "confirmed": (60, 3 * 24 * 60),
    "surveyed": (240, 4 * 24 * 60),
    "closed": (10, 2 * 24 * 60),
}


def _plan(rng: random.Random) -> list[str]:
    """How far the case is meant to go; most go the whole way, a few stall or turn out invalid."""
    fate = rng.random()
    if fate < 0.04:
        return ["invalid", "closed"]
    if fate < 0.07:
        return ["verified"]
    if fate < 0.10:
        return ["verified", "assigned"]
    if fate < 0.12:
        return ["verified", "assigned", "resolved"]
    if fate < 0.14:
        return ["verified", "assigned", "resolved", "confirmed"]
    survey = ["surveyed"] if rng.random() < 0.6 else []
    return ["verified", "assigned", "resolved", "confirmed", *survey, "closed"]


def _steps(rng: random.Random, created: datetime, now: datetime, known: dict[str, str]) -> tuple[Step, ...]:
    """The planned steps that happened before ``now``: a recent case is simply not that far yet."""
    steps: list[Step] = []
    # Whole milliseconds, so each step's UUIDv7 and HLC stamp carry exactly its time.
    at_ms = int(created.timestamp() * 1000)
    now_ms = int(now.timestamp() * 1000)
    for kind in _plan(rng):
        low, high = _GAPS["verified" if kind == "invalid" else kind]
        at_ms += int((low + (high - low) * rng.random() ** 1.5) * 60_000) + int(rng.random() * 60_000)
        if at_ms >= now_ms:
            break
        at = datetime.fromtimestamp(at_ms / 1000, UTC)
        steps.append(Step("verified" if kind == "invalid" else kind, at, _details(rng, kind, known)))
    return tuple(steps)


def _details(rng: random.Random, kind: str, known: dict[str, str]) -> dict[str, Any]:
    if kind == "invalid":
        return {"valid": False, "reason": _pick(rng, _INVALID_REASONS)}
    if kind == "verified":
        return {"valid": True, "reason": None}
    if kind == "resolved":
        compensation = _pick(rng, _COMPENSATIONS) if rng.random() < 0.3 else None
        result = _pick(rng, _RESULTS).format(amount=known.get("amount", "199"), product=known["product"])
        return {"result": result, "compensation": compensation}
    if kind == "confirmed":
        return {"opinion": _pick(rng, _OPINIONS) if rng.random() < 0.8 else None}
    if kind == "surveyed":
        scores = {k: _SCORE.pick(rng) for k in ("efficiency", "attitude", "solution")}
        return {**scores, "comment": _pick(rng, _SURVEY_COMMENTS) if rng.random() < 0.5 else None}
    return {}
