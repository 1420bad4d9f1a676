"""Generate large, realistic WhatsApp chat exports for the import benchmark.

Most messages are group chatter (greetings, acknowledgements, emoji, small
talk in Hindi, Hinglish and English); about one in ten carries a claim.
Claims come from a pool and recur as forwards over the weeks with small
variations (emoji, "Forwarded as received", typos, masked phone numbers,
capitals, share requests), sometimes as the caption of an image.  Media,
system and deleted lines, edits and multi-line messages are mixed in, and
senders are saved names (Latin and Devanagari) or phone numbers.

Deterministic for a given ``--seed`` and arguments::

    python -m benchmarks.gen_whatsapp --messages 50000 --out /tmp/wa.txt
    python -m benchmarks.gen_whatsapp --messages 50000 --platform ios --clock 12 \\
        --groups 3 --zip --out /tmp/wa.zip --truth /tmp/wa.truth.jsonl

``--truth`` writes one JSON object per message: ``line`` (header line),
``kind`` (chatter, claim, media, system, deleted), ``claim`` (the pool id of
the claim a message carries, else null) and ``group``.  Standard library only.
"""
from __future__ import annotations

import argparse
import io
import json
import random
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

NNBSP = "\u202f"
LRM = "\u200e"

CLAIMS: tuple[str, ...] = (
    "सरकार ने 1 दिसंबर से उन सभी परिवारों के राशन कार्ड रद्द करने का आदेश दिया है जिन्होंने ई-केवाईसी नहीं कराया।",
    "उज्ज्वला योजना में हर 3 महीने में 1 सिलेंडर बिल्कुल मुफ्त मिलेगा, इसी महीने से शुरू। अपनी गैस एजेंसी पर आधार लेकर जाएं।",
    "चुनाव आयोग का नया नियम: वोटर आईडी कार्ड के बिना किसी को वोट नहीं डालने दिया जाएगा, आधार मान्य नहीं है।",
    "कल सुबह से पेट्रोल 15 रुपये लीटर सस्ता मिलेगा, आज टंकी फुल मत कराना।",
    "जयपुर में 3 दिन तक इंटरनेट बंद रहेगा, पुलिस ने आदेश जारी किया है।",
    "500 के पुराने नोट 31 मार्च के बाद बैंक में भी जमा नहीं होंगे, RBI का नया सर्कुलर आया है।",
    "यूपी पुलिस भर्ती का पेपर लीक हो गया है, आंसर की टेलीग्राम पर 5000 रुपये में मिल रही है।",
    "बिजली बिल माफी योजना: सिर्फ ₹99 जमा करके पूरा बकाया बिल माफ करवाएं, आखिरी तारीख कल है।",
    "लखनऊ के सरकारी अस्पताल में बच्चा चोरी करने वाला गिरोह पकड़ा गया, 12 बच्चे बरामद।",
    "पीएम किसान की अगली किस्त 4000 रुपये की होगी, 25 तारीख को खाते में आएगी।",
    "राजस्थान में 1 तारीख से डेयरी का दूध ₹10 लीटर महंगा, नई रेट लिस्ट जारी।",
    "गंगा एक्सप्रेसवे पर पहले साल कोई टोल नहीं लगेगा, मुख्यमंत्री ने घोषणा की।",
    "Sarkar ne 1 December se ration card band karne ka order diya hai, jinka e-KYC nahi hua.",
    "UP me budhapa pension ab 3000 rupay mahina ho gayi h, 1000 se badha di gayi.",
    "Delhi meerut expressway 10 tarikh se 15 din band rahega repair ke liye, dusra rasta lena.",
    "BIJLI BILL MAAFI YOJANA sirf ₹99 me apna pura bakaya bill maaf karwaye, last date kal hai bit.ly/bjl-maafi99",
    "PRADHAN MANTRI GRAM ROJGAR SEVAK BHARTI 5,00,000 pad, yogyata 10th pass, vetan ₹18000/month. Apply: pmgrs-bharti.in",
    "Pyaz ₹200/kg next week, Delhi mandi me supply khatam, abhi se 10-20 kilo store kar lo.",
    "Ujjwala new connection registration chalu hai, ₹1600 UPI karo 9876543217 par aur naam, aadhar bhejo.",
    "EVM me gadbad pakdi gayi, Jaipur ke 200 booth pe button dabane par vote dusri party ko ja raha hai.",
    "Bank 4 din lagatar band rahenge 25 se 28 tarikh tak, sab kaam pehle nipta lo.",
    "MR ka tika ladkiyon ko mat lagwana, isse baad me bacche nahi hote, doctor ne bataya.",
    "Kanpur ke Hallet hospital ki MRI machine 6 mahine tak band rahegi, jaanch nahi hogi.",
    "Voter list se naam kat gaya ho to 1950 pe call karo, 24 ghante me naam jud jayega, sirf aaj tak.",
    "Election Commission has announced that voting can now be done from home through the Voter Helpline app.",
    "Breaking: Scientists warn of a 7.5 magnitude earthquake in Delhi-NCR at 2 am tonight.",
    "From 1st December WhatsApp calls will be recorded and monitored by the government under the new IT rules.",
    "Drinking hot water with lemon every morning cures cancer, confirmed by AIIMS doctors.",
    "RBI has banned the new 20 rupee coin, shopkeepers are not accepting it from Monday.",
    "Free laptop scheme for all 12th pass students, register at free-laptop-yojana.in before 30 November.",
    "All schools in Uttar Pradesh will remain closed till 15 January due to the cold wave, says the education department.",
    "Polling booths will close at 4 pm instead of 6 pm in Rajasthan this time, the order came yesterday.",
    "The government will give ₹5000 to every woman who opens a Jan Dhan account this month.",
    "Bisalpur dam me badi darar aa gayi hai, niche ke gaon khali karwaye ja rahe hain, video dekho.",
    "Barabanki me Ghaghra nadi ka naya pul gir gaya, 3 log bah gaye.",
    "नवोदय विद्यालय प्रवेश परीक्षा रद्द हो गई है, नई तारीख बाद में घोषित होगी।",
)

SHARE = ("सभी ग्रुप में भेजें 🙏", "Sabhi group me share karo", "Please share with family and friends 🙏",
         "आगे भेजो, सबको पता होना चाहिए", "Forward to all groups", "share jarur kare 🙏🙏",
         "Berojgar dosto ko forward kare", "Jitna ho sake share karo")
FORWARD = ("Forwarded as received", "*फॉरवर्ड*", "Forwarded many times", "*Forwarded as received*",
           "जैसा मिला वैसा भेजा", "FWD:")
LOUD_PREFIX = ("🚨🚨 ", "⚠️ ", "📢📢 ", "BREAKING: ", "ब्रेकिंग: ", "URGENT!!! ", "😱😱 ", "")
LOUD_SUFFIX = (" 🙏", " 👇👇", "!!!", " 😡😡", " 🔥🔥", "", "")

CHATTER: tuple[str, ...] = (
    "Good morning ji 🙏🌹", "Good morning all 🌞", "gm", "GM 🙏", "सुप्रभात 🙏", "शुभ प्रभात 🌹🌹",
    "जय श्री राम 🙏🙏", "Jai Shree Ram", "Radhe Radhe 🌸", "राम राम जी", "Har Har Mahadev 🔱",
    "Good night 🌙", "शुभ रात्रि", "ok", "ok ji", "Ok 👍", "okkk", "👍", "👍👍", "🙏", "🙏🙏", "😂😂",
    "👌", "ji", "ji sir", "haan", "haan ji", "hmm", "thik hai", "theek hai bhai", "ठीक है", "जी",
    "हाँ जी", "thanks", "Thank you sir 🙏", "धन्यवाद 🙏", "shukriya", "sahi baat", "sahi kaha",
    "bilkul sahi", "बिल्कुल सही", "hahaha", "😂", "nice", "Very nice 👌", "wah", "kya baat hai",
    "kab?", "kahan ho?", "aa raha hu", "5 min", "call karo", "baad me baat karte hai",
    "meeting kitne baje hai?", "kal shaam 5 baje", "Kal sab log time pe aana", "done",
    "aaj booth pe kaun kaun hai?", "Chai pe milte hai", "मैं पहुँच गया", "रास्ते में हूँ",
    "Happy birthday bhai 🎂🎉", "जन्मदिन की हार्दिक शुभकामनाएं 🎂", "Congratulations 🎉",
    "Many many happy returns of the day", "Welcome to the group", "Namaste sabko 🙏",
    "photo bhejo", "link bhejo", "kisne bheja ye?", "pata nahi", "koi baat nahi", "sorry",
    "Ye kab ka hai?", "Sach hai kya?", "fake lagta hai", "isko check karo",
)
NAMES = ("Ramesh Kumar", "Suresh Yadav", "Priya Sharma", "Amit Verma", "Sunita Devi", "Rahul Singh",
         "Pooja Gupta", "Vikas Tiwari", "Anjali Mishra", "Deepak Chauhan", "Neha Joshi",
         "Manoj Pandey", "Kavita Rawat", "Sanjay Meena", "Rekha Saini", "Arjun Gurjar",
         "रमेश कुमार", "सुनीता शर्मा", "अमित वर्मा", "प्रिया सिंह", "मनोज पांडे", "राकेश मीणा",
         "गीता देवी", "विकास तिवारी", "Bhai Ji", "Pradhan Ji", "Sharma Ji", "Guddu", "Pappu Bhaiya")
GROUPS = ("Ward 12 Sewa Samiti", "किसान मंच जयपुर", "Booth 147 Team", "मोहल्ला सुधार समिति",
          "Lucknow Vyapari Sangh", "Alumni 2008 Batch")

KIND_WEIGHTS = (("chatter", 0.68), ("claim", 0.15), ("media", 0.09), ("system", 0.03),
                ("deleted", 0.02), ("caption_claim", 0.03))


@dataclass(frozen=True)
class Member:
    name: str
    is_phone: bool


@dataclass(frozen=True)
class Style:
    platform: str
    clock: int

    def header(self, when: datetime, seconds: bool = True) -> str:
        if self.platform == "ios":
            date = when.strftime("%d/%m/%y")
            if self.clock == 12:
                clock = f"{when.hour % 12 or 12}:{when:%M:%S}{NNBSP}{'PM' if when.hour >= 12 else 'AM'}"
            else:
                clock = f"{when:%H:%M:%S}"
            return f"[{date}, {clock}] "
        if self.clock == 12:
            clock = f"{when.hour % 12 or 12}:{when:%M}{NNBSP}{'pm' if when.hour >= 12 else 'am'}"
            return f"{when:%d/%m/%y}, {clock} - "
        return f"{when:%d/%m/%Y}, {when:%H:%M} - "


def _phone(rng: random.Random) -> str:
    digits = f"{rng.randint(6, 9)}{rng.randint(0, 9999):04d}{rng.randint(0, 99999):05d}"
    return f"+91 {digits[:5]} {digits[5:]}"


def _members(rng: random.Random, count: int) -> list[Member]:
    names = rng.sample(NAMES, k=min(len(NAMES), count * 2 // 3))
    members = [Member(n, False) for n in names]
    members += [Member(_phone(rng), True) for _ in range(count - len(members))]
    return members


def _typo(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(chars))
        if not chars[i].isascii() or not chars[i].isalpha():
            continue
        op = rng.choice(("drop", "double", "swap"))
        if op == "drop":
            del chars[i]
        elif op == "double":
            chars.insert(i, chars[i])
        elif i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def _mask_numbers(rng: random.Random, text: str) -> str:
    # "9876543217" -> "98XXXXXX17", as people forward scam numbers.
    out, run = [], []
    for ch in text + " ":
        if ch.isdigit():
            run.append(ch)
            continue
        if len(run) >= 10:
            out.append(run[0] + run[1] + "X" * (len(run) - 4) + run[-2] + run[-1])
        else:
            out.extend(run)
        run = []
        out.append(ch)
    return "".join(out)[:-1]


def claim_variant(rng: random.Random, base: str) -> str:
    """One forward of ``base``: the same claim with the noise forwards pick up."""
    text = base
    if rng.random() < 0.3:
        text = _typo(rng, text)
    if rng.random() < 0.3:
        text = _mask_numbers(rng, text)
    if rng.random() < 0.1:
        text = text.upper()
    text = rng.choice(LOUD_PREFIX) + text + rng.choice(LOUD_SUFFIX)
    lines = [text]
    if rng.random() < 0.45:
        lines.append(rng.choice(SHARE))
    if rng.random() < 0.35:
        marker = rng.choice(FORWARD)
        lines.insert(0, marker) if rng.random() < 0.6 else lines.append(marker)
    if len(lines) > 1 and rng.random() < 0.15:
        lines.insert(1, "")
    return "\n".join(lines)


class _Group:
    def __init__(self, rng: random.Random, name: str, style: Style, start: datetime):
        self.rng = rng
        self.name = name
        self.style = style
        self.when = start
        self.members = _members(rng, rng.randint(25, 70))
        self.media_counter = 0

    def tick(self) -> datetime:
        gap = self.rng.expovariate(1 / 95)
        self.when += timedelta(seconds=int(gap) + 1)
        if self.when.hour < 6:  # groups sleep
            self.when = self.when.replace(hour=6, minute=self.rng.randint(0, 59))
        return self.when

    def sender(self) -> str:
        member = self.rng.choice(self.members)
        if member.is_phone and self.style.platform == "android":
            return f"\u202a{member.name}\u202c"
        if member.is_phone:
            return member.name
        if self.style.platform == "ios" and self.rng.random() < 0.05:
            return f"~{NNBSP}{member.name}"
        return member.name

    def media_marker(self, when: datetime) -> str:
        self.media_counter += 1
        if self.style.platform == "ios":
            if self.rng.random() < 0.5:
                return LRM + self.rng.choice(("image omitted", "video omitted", "sticker omitted",
                                              "audio omitted", "GIF omitted"))
            return (f"{LRM}<attached: {self.media_counter:08d}-PHOTO-"
                    f"{when:%Y-%m-%d-%H-%M-%S}.jpg>")
        if self.rng.random() < 0.8:
            return "<Media omitted>"
        return f"IMG-{when:%Y%m%d}-WA{self.media_counter:04d}.jpg (file attached)"

    def system_text(self) -> str:
        rng = self.rng
        who, whom = rng.choice(self.members).name, rng.choice(self.members).name
        if self.style.platform == "android":
            who, whom = (f"\u202a{n}\u202c" if n.startswith("+") else n for n in (who, whom))
        return rng.choice((
            f"{who} joined using this group's invite link", f"{who} added {whom}", f"{who} left",
            f"{who} removed {whom}", f"{who} changed this group's icon",
            f"{who} changed the group description",
        ))


def _pick_kind(rng: random.Random) -> str:
    r, acc = rng.random(), 0.0
    for kind, weight in KIND_WEIGHTS:
        acc += weight
        if r < acc:
            return kind
    return "chatter"


def _chatter(rng: random.Random) -> str:
    text = rng.choice(CHATTER)
    if rng.random() < 0.04:
        text += "\n" + rng.choice(CHATTER)
    return text


def generate(messages: int, *, seed: int = 7, platform: str = "android", clock: int = 12,
             groups: int = 1, start: datetime = datetime(2026, 10, 1, 8, 0, 0)
             ) -> tuple[str, list[dict]]:
    """Return the export text and one truth record per message."""
    rng = random.Random(seed)
    style = Style(platform, clock)
    names = [GROUPS[i % len(GROUPS)] + ("" if i < len(GROUPS) else f" {i}") for i in range(groups)]
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(CLAIMS))]
    order = rng.sample(range(len(CLAIMS)), k=len(CLAIMS))
    out: list[str] = []
    truth: list[dict] = []
    line = 1
    for index, name in enumerate(names):
        group = _Group(rng, name, style, start)
        count = messages // groups + (1 if index < messages % groups else 0)
        for n in range(count):
            when = group.tick()
            kind = "system" if n == 0 else _pick_kind(rng)
            claim_id = None
            sender = group.sender()
            if kind == "system":
                text = ("Messages and calls are end-to-end encrypted. No one outside of this chat, "
                        "not even WhatsApp, can read or listen to them. Tap to learn more."
                        if n == 0 else group.system_text())
                if platform == "ios":
                    body = f"{group.name}: {LRM}{text}"
                else:
                    body = text
            elif kind == "deleted":
                text = rng.choice(("This message was deleted", "You deleted this message"))
                body = f"{sender}: {LRM + text + '.' if platform == 'ios' else text}"
            elif kind == "media":
                marker = group.media_marker(when)
                caption = ("\n" + rng.choice(CHATTER[:12])) if rng.random() < 0.3 else ""
                body = f"{sender}: {marker}{caption}"
            elif kind in ("claim", "caption_claim"):
                claim_id = order[rng.choices(range(len(CLAIMS)), weights=popularity)[0]]
                text = claim_variant(rng, CLAIMS[claim_id])
                if kind == "caption_claim":
                    text = group.media_marker(when) + "\n" + text
                if rng.random() < 0.03:
                    text += " <This message was edited>"
                body = f"{sender}: {text}"
                kind = "claim"
            else:
                body = f"{sender}: {_chatter(rng)}"
            entry = style.header(when) + body + "\n"
            if platform == "ios" and LRM in body:
                entry = LRM + entry
            out.append(entry)
            truth.append({"line": line, "kind": kind, "claim": claim_id, "group": name})
            line += entry.count("\n")
    return "".join(out), truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gen_whatsapp",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--platform", choices=("android", "ios"), default="android")
    parser.add_argument("--clock", type=int, choices=(12, 24), default=12)
    parser.add_argument("--groups", type=int, default=1,
                        help="concatenate this many group exports")
    parser.add_argument("--zip", action="store_true",
                        help="write a WhatsApp-style .zip holding the chat .txt")
    parser.add_argument("--truth", type=Path, help="write per-message ground truth (JSON Lines)")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.groups < 1:
        parser.error("--messages and --groups must be positive")
    text, truth = generate(args.messages, seed=args.seed, platform=args.platform,
                           clock=args.clock, groups=args.groups)
    data = text.encode("utf-8")
    if args.zip:
        member = "_chat.txt" if args.platform == "ios" else f"WhatsApp Chat with {GROUPS[0]}.txt"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(zipfile.ZipInfo(member, date_time=(2026, 11, 22, 9, 0, 0)), data,
                        compress_type=zipfile.ZIP_DEFLATED)
        data = buf.getvalue()
    args.out.write_bytes(data)
    if args.truth:
        args.truth.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in truth),
                              encoding="utf-8")
    claims = sum(1 for t in truth if t["kind"] == "claim")
    print(f"wrote {args.out}: {len(truth)} messages, {claims} carrying claims, "
          f"{len(data) / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
