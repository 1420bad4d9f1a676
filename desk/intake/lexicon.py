"""Word lists behind check-worthiness, in Hindi (Devanagari), Hinglish and English.

Entries are matched after the same folding as the text (casefold, NFC, nukta
and chandrabindu folded, ZWJ/ZWNJ removed), on whole words.  An entry ending
in ``*`` matches as a prefix (``share kar*`` covers karo, kare, kariye).
Edit these lists, not the scoring code, to tune what counts as chatter.
"""
from __future__ import annotations

# Words that on their own never make a claim: acknowledgements, greetings,
# honorifics, blessings, fillers.  A message made only of these is chatter.
CHATTER_WORDS: frozenset[str] = frozenset("""
ok okay okey okk k kk ok. oky okie okies hmm hm hmmm haan han haa ha hanji haanji ji jee jii
yes yeah yea yep yup ya no nope nah sure done noted right correct agreed same exactly true
thanks thank thanku thankyou thanx thnx thnks thx tq ty tysm welcome most pleasure mention
good morning night evening afternoon noon day nice great super superb awesome wow cool
lovely beautiful sweet dreams take care god bless blessed blessings amen
gm gn ge gd mrng morng nite
hi hii hiii hello helo hlo hey hye bye byee see you u soon later tc
lol lmao rofl haha hahaha hehe hihi
congrats congratulations congo happy birthday bday b'day hbd anniversary many returns
wish wishes best regards warm love dear dearest
sir sirji madam mam maam maa'am bro brother sister sis didi bhai bhaiya bhaiyya bhaiji
behen bhabhi chacha uncle aunty ji guru guruji dost friends friend guys all everyone
everybody team members group family ladies gentlemen
to and a an the of for with very too so much have has is are be your you all from me my
jai jay jaya shri shree sri siya siyaram ram radhe krishna krishn har mahadev om namah
shivay shivaya ganesh ganpati bappa morya bajrangbali hanuman hind bharat mata vande
mataram sat akal waheguru salaam salam alaikum walaikum khuda hafiz allah mubarak eid
namaste namaskar namaskaar pranam pranaam charan sparsh radhey swami
shubh subh prabhat suprabhat ratri raatri sandhya din shubhratri shubhkamnaye
shubhkamnayen shubhkamnaen shubhkamna badhai badhaai mangalmay
diwali deepawali deepavali holi dussehra dashahra navratri lohri pongal onam christmas
merry new year festival greetings independence republic
ho hai h hain he tha thi nahi nhi nahin na nai mat
thik theek thk tik accha acha achha achcha acchha sahi bilkul pakka zaroor jarur
dhanyavad dhanyawad dhanyavaad shukriya meherbani
aap aapka aapki aapko apka apki apko aapke apke sab sabko sabhi sabka hum hamara tum
bhi bahut bohot bahot bht bhut badiya badhiya mast ekdum kamaal
kaise kaisa kaisi ho kya haal chal chalo kab kahan kaun mein me main
ki ka ke ko se ne par pe baat
सुप्रभात सुप्रभातम शुभ प्रभात रात्रि शुभरात्रि संध्या दिन मंगलमय नमस्ते नमस्कार प्रणाम
चरण स्पर्श राम जय श्री सियाराम सिया राधे कृष्ण हर महादेव ओम ॐ नमः शिवाय गणेश गणपति
बप्पा मोरया बजरंगबली हनुमान हिंद भारत माता वंदे मातरम सत अकाल वाहेगुरु
जी हाँ हां हा हाजी ठीक है हैं हो ओके धन्यवाद शुक्रिया बधाई शुभकामनाएं शुभकामनाएँ
शुभकामनाए शुभकामना हार्दिक जन्मदिन जन्मदिवस सालगिरह वर्षगांठ की के का को आपको आपका
आपकी आप सभी सबको सब भाई भैया भाईसाहब साहब बहन दीदी बहुत बढ़िया अच्छा सही बिल्कुल
नहीं ना दीपावली दिवाली होली ईद मुबारक नववर्ष नया साल गुड मॉर्निंग मोर्निंग नाइट
इवनिंग थैंक्स थैंक यू वेलकम हैप्पी बर्थडे स्वागत आभार सादर पधारें धन्य
""".split())

# Phrases that mark a message as a greeting or wish even with a name or two in it.
GREETING_PHRASES: tuple[str, ...] = (
    "good morning", "good night", "good evening", "good afternoon", "gm", "gn",
    "happy birthday", "many many happy returns", "happy returns", "hbd", "happy anniversary",
    "congratulations", "congrats", "best wishes", "happy diwali", "happy holi", "eid mubarak",
    "happy new year", "merry christmas", "namaste", "namaskar", "pranam", "welcome", "jai shri ram", "jai shree ram", "jai siyaram",
    "radhe radhe", "har har mahadev", "ram ram", "jai hind", "vande mataram",
    "suprabhat", "shubh prabhat", "shubh ratri", "shubhratri", "janamdin ki*", "janmdin ki*",
    "janmadin ki*", "bahut bahut badhai", "hardik shubhkamna*", "hardik badhai",
    "सुप्रभात", "शुभ प्रभात", "शुभ रात्रि", "शुभरात्रि", "शुभ संध्या", "जय श्री राम",
    "जय सियाराम", "राधे राधे", "हर हर महादेव", "राम राम", "जय हिंद", "वंदे मातरम",
    "जन्मदिन की*", "जन्मदिवस की*", "हार्दिक शुभकामना*", "हार्दिक बधाई", "बहुत बहुत बधाई",
    "शुभकामना*", "नमस्ते", "नमस्कार", "प्रणाम", "गुड मॉर्निंग", "गुड नाइट",
)

# Pasted forward markers (text exports do not mark forwards themselves).  They
# count only at the start or end of a line: "मुझे भी फॉरवर्ड आया था" is chatter.
FORWARD_MARKERS: tuple[str, ...] = (
    "forwarded as received", "forwarded many times", "forwarded message", "forwarded",
    "fwd", "fw", "as received", "copy paste", "copied", "received as it is",
    "फॉरवर्ड", "फॉरवर्डेड", "फारवर्ड", "जैसा मिला वैसा*", "जैसा प्राप्त हुआ*",
    "यथावत प्राप्त", "कॉपी पेस्ट",
)

# Requests to spread the message further.
SHARE_REQUESTS: tuple[str, ...] = (
    "share kar*", "share kr*", "share kijiye", "share jarur*", "share zaroor*",
    "please share", "pls share", "plz share", "kindly share", "share it", "share this",
    "share with*", "must share", "maximum share", "share to all", "send to all",
    "forward kar*", "forward kr*", "forward kijiye", "forward to all", "forward this",
    "aage bhej*", "age bhej*", "sab group*", "sabhi group*", "har group*", "all groups",
    "every group", "sabko bhej*", "sab ko bhej*", "sabhi ko bhej*", "jitna ho sake",
    "शेयर कर*", "शेयर जरूर", "शेयर ज़रूर", "शेयर कीजिए", "फॉरवर्ड कर*", "आगे भेज*",
    "सभी ग्रुप*", "सब ग्रुप*", "हर ग्रुप*", "सभी को भेज*", "सबको भेज*", "अधिक से अधिक",
    "ज्यादा से ज्यादा",
)

VIRAL_WORDS: tuple[str, ...] = ("viral", "वायरल", "trending", "ट्रेंडिंग")

URGENCY_WORDS: tuple[str, ...] = (
    "breaking", "breaking news", "urgent", "alert", "important", "attention", "warning",
    "last date", "hurry", "immediately", "jaldi", "jaldi se", "turant", "savdhan", "saavdhan",
    "dhyan de*", "khabar", "badi khabar", "news",
    "ब्रेकिंग", "बड़ी खबर", "खबर", "सावधान", "चेतावनी", "ध्यान दें", "ध्यान दे", "जरूरी",
    "ज़रूरी", "तुरंत", "जल्दी", "अलर्ट", "आवश्यक सूचना", "सूचना",
)

# Official actors and acts: who is said to have decided something.
OFFICIAL_WORDS: tuple[str, ...] = (
    "sarkar ne", "sarkar", "government", "govt", "government has", "ministry", "minister",
    "pm", "cm", "prime minister", "chief minister", "modi", "yogi", "election commission",
    "eci", "rbi", "supreme court", "high court", "court", "police", "collector", "dm",
    "department", "board", "notice", "notification", "circular", "order", "orders",
    "पीएम", "सीएम", "डीएम", "announced", "announcement", "declared", "official", "officially", "rule", "rules",
    "law", "act", "decision", "faisla", "aadesh", "elaan", "ghoshna", "niyam", "kanoon",
    "vibhag", "mantri", "mantralay",
    "सरकार ने", "सरकार", "केंद्र सरकार", "राज्य सरकार", "प्रधानमंत्री", "मुख्यमंत्री", "मोदी",
    "योगी", "मंत्री", "मंत्रालय", "चुनाव आयोग", "निर्वाचन आयोग", "आयोग", "रिजर्व बैंक",
    "सुप्रीम कोर्ट", "हाईकोर्ट", "अदालत", "न्यायालय", "पुलिस", "कलेक्टर", "जिलाधिकारी",
    "विभाग", "बोर्ड", "नोटिस", "अधिसूचना", "आदेश", "घोषणा", "ऐलान", "फैसला", "निर्णय",
    "नियम", "कानून", "सर्कुलर",
)

# Public matters claims are made about: elections, welfare, prices, money, health.
CIVIC_WORDS: tuple[str, ...] = (
    "election", "elections", "vote", "votes", "voting", "voter", "voter id", "evm", "booth",
    "ballot", "poll", "polls", "chunav", "matdan", "ration", "ration card", "pension",
    "aadhaar", "aadhar", "pan card", "yojana", "scheme", "subsidy", "cylinder", "gas",
    "bijli", "electricity", "bill", "petrol", "diesel", "price", "prices", "rate", "tax",
    "toll", "bank", "account", "note", "notes", "loan", "salary", "bharti", "recruitment",
    "exam", "paper leak", "result", "school", "college", "hospital", "vaccine", "virus",
    "covid", "dengue", "internet", "lockdown", "curfew", "riot", "hindu", "muslim",
    "mandir", "masjid", "temple", "mosque", "doctor", "doctors", "medicine", "medicines",
    "cure", "cures", "cancer", "diabetes", "tumour", "tumor", "disease", "dawa", "dawai",
    "ilaj", "tika", "teeka", "dam", "bandh", "bridge", "pul", "nadi", "flood", "baadh",
    "earthquake", "bhukamp", "kisan", "farmer", "farmers", "app", "download", "otp", "kyc",
    "चुनाव", "मतदान", "मतदाता", "वोट", "ईवीएम", "बूथ", "राशन", "राशन कार्ड", "पेंशन",
    "आधार", "योजना", "सब्सिडी", "सिलेंडर", "गैस", "बिजली", "बिल", "पेट्रोल", "डीजल",
    "दाम", "कीमत", "टैक्स", "टोल", "बैंक", "खाता", "नोट", "कर्ज", "लोन", "वेतन", "भर्ती",
    "परीक्षा", "पेपर लीक", "रिजल्ट", "स्कूल", "कॉलेज", "अस्पताल", "वैक्सीन", "टीका",
    "वायरस", "इंटरनेट", "लॉकडाउन", "कर्फ्यू", "दंगा", "मंदिर", "मस्जिद", "डॉक्टर", "डॉक्टरों",
    "दवा", "दवाई", "इलाज", "कैंसर", "डायबिटीज", "शुगर", "ट्यूमर", "बीमारी", "डैम", "बांध",
    "पुल", "नदी", "बाढ़", "भूकंप", "किसान", "ऐप", "डाउनलोड", "ओटीपी", "केवाईसी",
)

# Definite statements about what happened or will happen.
ASSERTION_WORDS: tuple[str, ...] = (
    "will be", "will not", "won't", "has been", "have been", "was", "were", "is being",
    "confirmed", "proof", "exposed", "hacked", "free", "banned",
    "ban", "cancelled", "canceled", "cancel", "closed", "shut", "arrested", "died", "dead",
    "killed", "attack", "scam", "fraud", "leak", "leaked", "new rule", "cures", "causes",
    "kills", "said", "says", "according to", "sources",
    "hoga", "hogi", "honge", "hoge", "milega", "milegi", "milenge", "band", "cancel ho*",
    "radd", "khatam", "muft", "maaf", "maafi", "giraftar", "maut", "mar gaye", "saboot", "pakde gaye", "lagega", "lagegi", "badh gaya", "badh gayi",
    "ho gaya", "ho gayi", "ho gya", "ho gyi", "kar diya", "kar di", "kr diya", "kr di",
    "gir gaya", "gir gayi", "gir gya", "toot gaya", "toot gayi", "aa gayi", "aa gaya",
    "ho jata hai", "ho jati hai", "ne kaha", "ne bataya", "bol rahe", "bol rhe", "keh rahe",
    "karwa rahe", "karva rahe", "rahega", "rahegi", "rahenge",
    "होगा", "होगी", "होंगे", "मिलेगा", "मिलेगी", "मिलेंगे", "बंद", "रद्द", "खत्म", "मुफ्त",
    "मुफ़्त", "फ्री", "माफ", "गिरफ्तार", "मौत", "हमला", "घोटाला", "फर्जी", "धोखा", "लीक",
    "सबूत", "खुलासा", "हो गया", "हो गई", "हो गयी", "कर दिया", "कर दी",
    "लगेगा", "लगेगी", "बढ़ गया", "बढ़ गई", "नया नियम", "गिर गया", "गिर गई", "टूट गया",
    "आ गई", "आ गया", "हो जाता है", "हो जाती है", "ने कहा", "ने बताया", "कराया जा रहा",
    "किया जा रहा", "रहेगा", "रहेगी", "रहेंगे",
)

VERIFY_REQUESTS: tuple[str, ...] = (
    "sach hai", "sach h", "sahi hai kya", "sahi h kya", "kya ye sach", "kya yeh sach",
    "kya ye sahi", "kya yeh sahi", "sach ya jhooth", "fake hai kya", "fake h kya",
    "genuine hai", "genuine h", "is this true", "is it true", "true or false", "real or fake",
    "fake or real", "is this real", "is it real", "fact check", "verify", "please confirm",
    "सच है", "सच है क्या", "क्या यह सच", "क्या ये सच", "सही है क्या", "क्या यह सही",
    "सच या झूठ", "फेक है क्या", "पुष्टि करें",
)

# Number words, so "पंद्रह रुपये" counts as a figure like "15 rupees".
NUMBER_WORDS: tuple[str, ...] = (
    "hundred", "thousand", "lakh", "lakhs", "crore", "crores", "million", "billion",
    "percent", "per cent", "rupees", "rupee", "rs", "inr", "rupaye", "rupay", "rupaiye",
    "hazaar", "hazar", "hajar", "sau", "karod", "karor", "das", "bees", "pachas", "pachaas",
    "sau", "paanch", "panch", "pandrah", "dugna", "double", "aadha", "half",
    "एक", "दो", "तीन", "चार", "पांच", "पाँच", "छह", "छः", "सात", "आठ", "नौ", "दस", "पंद्रह",
    "बीस", "पचास", "सौ", "हजार", "हज़ार", "लाख", "करोड़", "प्रतिशत", "रुपये", "रुपए", "रुपया",
    "दोगुना", "आधा",
)

MONTHS_AND_DAYS: tuple[str, ...] = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "tomorrow", "tonight", "next week", "next month",
    "this month", "from today", "from tomorrow", "last date",
    "tarikh", "tareekh", "taarikh", "somvar", "mangalvar", "budhvar", "guruvar", "shukravar",
    "shanivar", "ravivar", "agle mahine", "agle hafte", "is mahine", "aaj se", "kal se",
    "parso", "aaj raat", "kal subah", "aaj shaam", "kal shaam",
    "जनवरी", "फरवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "सितम्बर",
    "अक्टूबर", "अक्तूबर", "नवंबर", "नवम्बर", "दिसंबर", "दिसम्बर", "तारीख", "तारीख़", "तिथि",
    "सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार", "अगले महीने",
    "अगले हफ्ते", "इस महीने", "आज से", "कल से", "आज रात", "कल सुबह", "आज शाम", "कल शाम",
)
