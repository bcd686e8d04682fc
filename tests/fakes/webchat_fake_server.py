#!/usr/bin/env python3
"""A stand-in for kontobot's web chat API, for working on the browser page.

Python 3 standard library only. Serves handlers/webchat/static at / and the
same JSON API as handlers/webchat/webchat.cc:

  GET  /api/catalog?lang=sv|en   the webchat.* texts of config/messages/<lang>/*.yaml
  GET  /api/people               a copy of the demo directory
  GET  /api/messages?person=ID&after=N
  POST /api/messages {"person","text"} | {"person","message_id","action":{"id","value"}}

The "bot" is canned: a short four-step registration form, a summary, and an
approval request delivered to the requester's manager (who sees it on the
next poll, with Godkänn/Avslå buttons that are edited away once pressed).
Transcripts live in memory only.

  python3 tests/fakes/webchat_fake_server.py --port 8099 --static handlers/webchat/static
  python3 tests/fakes/webchat_fake_server.py --seed     # gis-anna and gis-per start mid-conversation

Test hooks: a text of "/fel" (or "/error") answers 503 with an error body; a
button pressed on a message that no longer offers it answers 409.
"""

import argparse
import json
import os
import re
import sys
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

REPO = Path(__file__).resolve().parents[2]

ORGS = [
    ("dalarna", "Landstinget Dalarna", "Dalarna County Council"),
    ("gislaved", "Gislaveds kommun", "Gislaved Municipality"),
    ("sll", "Stockholms läns landsting", "Stockholm County Council"),
    ("smc", "Sveriges MotorCyklister (SMC)", "Swedish Motorcyclists' Association (SMC)"),
    ("trosa", "Trosa kommun", "Trosa Municipality"),
]

# id, name, title, org, unit, roles, superior
PEOPLE = [
    ("dal-karin", "Karin Dahl", "Kommunikatör, Folktandvården", "dalarna", "Folktandvården", ["requester"], "dal-erik"),
    ("dal-erik", "Erik Holm", "Verksamhetschef, Folktandvården", "dalarna", "Folktandvården", ["verksamhetschef"], "dal-maria"),
    ("dal-maria", "Maria Lind", "Förvaltningschef, Hälso- och sjukvårdsförvaltningen", "dalarna", "Hälso- och sjukvårdsförvaltningen", ["forvaltningschef"], None),
    ("dal-johan", "Johan Berg", "Tandhygienist, administratör", "dalarna", "Folktandvården", ["administrator"], "dal-erik"),
    ("dal-lena", "Lena Sterner", "Informationschef, Informationsavdelningen", "dalarna", "Informationsavdelningen", ["informationsfunktion"], None),
    ("gis-anna", "Anna Berg", "Kommunikatör, Fritid", "gislaved", "Fritidsförvaltningen", ["requester"], "gis-per"),
    ("gis-per", "Per Ek", "Verksamhetschef, Fritid", "gislaved", "Fritidsförvaltningen", ["verksamhetschef"], "gis-eva"),
    ("gis-eva", "Eva Strand", "Förvaltningschef, Kultur- och fritidsförvaltningen", "gislaved", "Kultur- och fritidsförvaltningen", ["forvaltningschef"], None),
    ("gis-omar", "Omar Haddad", "Fritidsledare, administratör", "gislaved", "Fritidsförvaltningen", ["administrator"], "gis-per"),
    ("gis-lisa", "Lisa Åberg", "Fritidsledare, administratör", "gislaved", "Fritidsförvaltningen", ["administrator"], "gis-per"),
    ("gis-info", "Jonas Falk", "Informatör, Informationsfunktionen", "gislaved", "Kommunledningsförvaltningen", ["informationsfunktion"], None),
    ("sll-nina", "Nina Sjöberg", "Kommunikatör, Trafikförvaltningen", "sll", "Trafikförvaltningen", ["requester"], "sll-ali"),
    ("sll-ali", "Ali Karimi", "Enhetschef, Kundkommunikation", "sll", "Trafikförvaltningen", ["narmaste_chef"], "sll-ulla"),
    ("sll-ulla", "Ulla Wik", "Förvaltningschef, Trafikförvaltningen", "sll", "Trafikförvaltningen", ["forvaltningschef"], None),
    ("sll-tom", "Tom Lund", "Webbredaktör, administratör", "sll", "Trafikförvaltningen", ["administrator"], "sll-ali"),
    ("sll-kom", "Greta Borg", "Kommunikationsdirektör, Landstingsstaben", "sll", "Landstingsstaben", ["informationsfunktion"], None),
    ("smc-mats", "Mats Olsson", "Medlem, SMC Småland", "smc", "SMC Småland", ["requester"], "smc-board"),
    ("smc-board", "Birgitta Ek", "Ordförande, distriktsstyrelsen SMC Småland", "smc", "SMC Småland", ["distriktsstyrelse"], "smc-kansli"),
    ("smc-rune", "Rune Ask", "Webbansvarig, SMC Småland", "smc", "SMC Småland", ["administrator"], "smc-board"),
    ("smc-kansli", "Helena Roos", "Informationsansvarig, SMC:s kansli", "smc", "Kansliet", ["informationsfunktion"], None),
    ("tro-sofia", "Sofia Lind", "Kommunikatör, Tomtaklintskolan", "trosa", "Tomtaklintskolan", ["requester"], "tro-gustav"),
    ("tro-gustav", "Gustav Wallin", "Rektor, Tomtaklintskolan", "trosa", "Tomtaklintskolan", ["narmaste_chef"], "tro-karl"),
    ("tro-karl", "Karl Nord", "Förvaltningschef, Utbildningsförvaltningen", "trosa", "Utbildningsförvaltningen", ["forvaltningschef"], None),
    ("tro-emma", "Emma Falk", "Lärare, administratör", "trosa", "Tomtaklintskolan", ["administrator"], "tro-gustav"),
    ("tro-info", "Ida Sandberg", "Informationsansvarig", "trosa", "Kommunledningskontoret", ["informationsfunktion"], None),
]
PERSON = {p[0]: p for p in PEOPLE}
ORG_NAME = {o[0]: {"sv": o[1], "en": o[2]} for o in ORGS}
ROLE_NAME = {
    "verksamhetschef": {"sv": "verksamhetschef", "en": "head of operations"},
    "forvaltningschef": {"sv": "förvaltningschef", "en": "head of department"},
    "narmaste_chef": {"sv": "närmaste chef", "en": "line manager"},
    "distriktsstyrelse": {"sv": "distriktsstyrelsen", "en": "district board"},
}

# --- the bot's sentences (a small subset of config/messages/*/bot.yaml)
T = {
    "sv": {
        "welcome": "Hej {name}! Jag är kontobot och hjälper dig att anmäla ett nytt konto i sociala medier för {org} enligt organisationens riktlinjer. Jag ställer frågorna från blanketten en i taget; du kan pausa när du vill och fortsätta senare.",
        "unknown": "Jag förstod inte riktigt. Vill du anmäla ett nytt konto? Välj nedan eller skriv hjälp.",
        "started": "*Ny anmälan nr {id}: Nytt konto i sociala medier* ({org})\nDu kan när som helst skriva *tillbaka*, *hoppa över* (frivilliga frågor), *status*, *hjälp* eller *avbryt*. Det du svarar sparas direkt, så du kan fortsätta senare.",
        "understood": "Uppfattat: {answer}",
        "help": "*Så här fungerar det*\nJag ställer frågorna i din organisations blankett en i taget. Skriv ditt svar i rutan eller använd knapparna.\n• *tillbaka* – gå till föregående steg\n• *hoppa över* – hoppa över en frivillig fråga\n• *status* – var du är och vad som återstår\n• *utkast* – dina påbörjade anmälningar\n• *avbryt* – avbryt anmälan\n• *english* – byt till engelska\nDu kan pausa när som helst; allt sparas och du fortsätter där du slutade. Riktlinjerna finns på https://www.gislaved.se/riktlinjer-sociala-medier.",
        "status": "Du fyller i anmälan nr {id}: {done} av {total} steg klara. Nu: {current}.",
        "status_none": "Du har ingen anmälan öppen just nu.",
        "drafts_none": "Du har inga påbörjade anmälningar.",
        "drafts": "Dina påbörjade anmälningar:\n• Nr {id} – Nytt konto i sociala medier ({done} av {total} steg klara)",
        "back_nothing": "Det finns inget tidigare steg att gå tillbaka till.",
        "lang": "Jag skriver på svenska från och med nu.",
        "step": "*Steg {n} av {total} – {label}*",
        "summary": "*Sammanfattning av anmälan nr {id} – Nytt konto i sociala medier*",
        "summary_end": "Stämmer allt? Tryck *Skicka in* för att skicka anmälan. Vill du ändra något, skriv numret på svaret (t.ex. 3) eller tryck *Ändra ett svar*.",
        "no_answer": "(inget svar)",
        "submitted": "Tack! Anmälan nr {id} är inskickad och sparad som allmän handling.\nDen går vidare för godkännande: {chain}.",
        "approval": "*Anmälan nr {id} väntar på ditt godkännande*\n{name} ({title}) vill öppna ett nytt konto:\n• Kanal: {channel}\n• Adress: {url}\n• Syfte: {purpose}",
        "approved_line": "✓ Godkänd av {name} {when}",
        "rejected_line": "✗ Avslagen av {name} {when}",
        "you_approved": "Du har godkänt anmälan nr {id}. {name} får besked.",
        "you_rejected": "Du har avslagit anmälan nr {id}. {name} får besked.",
        "req_approved": "Anmälan nr {id} är godkänd av {name} ({role}). Informationsfunktionen skapar kontot och hör av sig.",
        "req_rejected": "Anmälan nr {id} är avslagen av {name} ({role}). Hör gärna av dig till {name} om du har frågor.",
        "cancel_confirm": "Vill du avbryta anmälan nr {id}? Den skickas inte in (det som sagts finns kvar i loggen).",
        "cancelled": "Anmälan nr {id} är avbruten.",
        "choice_invalid": "Välj ett av alternativen: {options}.",
        "url_invalid": "Det ser inte ut som en webbadress. Skriv hela adressen, t.ex. www.facebook.com/sidnamn.",
        "required": "Den här frågan måste besvaras och kan inte hoppas över.",
        "ack_needed": "Den här punkten är en checklista att ta del av. Tryck på *Jag har tagit del* (eller skriv ok) när du har läst den.",
        "steps": [
            ("Kanal", "Vilken kanal gäller anmälan?"),
            ("Kontots adress", "Vilken adress ska kontot få?\nTips: Till exempel www.facebook.com/gislavedskommun"),
            ("Syfte och målgrupp", "Beskriv kort syftet med kontot och vilka ni vill nå. (Frivillig)"),
            ("Riktlinjer", "Innan du skickar in:\n• Kontot ska ha minst två administratörer.\n• Inlägg ska besvaras inom en arbetsdag.\n• Inloggningsuppgifter lämnas till informationsfunktionen, aldrig i chatten.\nLäs igenom och bekräfta att du har tagit del av punkterna."),
        ],
        "b": {"new": "Anmäl nytt konto", "help": "Hjälp", "lang": "English", "ack": "Jag har tagit del",
              "back": "Tillbaka", "skip": "Hoppa över", "submit": "Skicka in", "edit": "Ändra ett svar",
              "cancel": "Avbryt anmälan", "cancel_yes": "Ja, avbryt", "cancel_no": "Nej, fortsätt",
              "approve": "Godkänn", "reject": "Avslå"},
    },
    "en": {
        "welcome": "Hello {name}! I am kontobot. I help you register a new social-media account for {org} following the organisation's guidelines. I ask the form's questions one at a time; you can pause whenever you like and continue later.",
        "unknown": "I did not quite understand. Would you like to register a new account? Choose below or type help.",
        "started": "*New registration no. {id}: New social media account* ({org})\nAt any time you can type *back*, *skip* (optional questions), *status*, *help* or *cancel*. Your answers are saved at once, so you can continue later.",
        "understood": "Understood: {answer}",
        "help": "*How it works*\nI ask the questions of your organisation's form one at a time. Type your answer or use the buttons.\n• *back* – go to the previous step\n• *skip* – skip an optional question\n• *status* – where you are and what is left\n• *drafts* – your registrations in progress\n• *cancel* – cancel the registration\n• *svenska* – switch to Swedish\nYou can pause at any time. The guidelines are at https://www.gislaved.se/riktlinjer-sociala-medier.",
        "status": "You are filling in registration no. {id}: {done} of {total} steps done. Now: {current}.",
        "status_none": "You have no registration open right now.",
        "drafts_none": "You have no registrations in progress.",
        "drafts": "Your registrations in progress:\n• No. {id} – New social media account ({done} of {total} steps done)",
        "back_nothing": "There is no earlier step to go back to.",
        "lang": "I will write in English from now on.",
        "step": "*Step {n} of {total} – {label}*",
        "summary": "*Summary of registration no. {id} – New social media account*",
        "summary_end": "Is everything right? Press *Submit* to send the registration. To change something, type the answer's number (e.g. 3) or press *Change an answer*.",
        "no_answer": "(no answer)",
        "submitted": "Thank you! Registration no. {id} has been submitted and filed as a public record.\nIt now goes for approval: {chain}.",
        "approval": "*Registration no. {id} awaits your approval*\n{name} ({title}) wants to open a new account:\n• Channel: {channel}\n• Address: {url}\n• Purpose: {purpose}",
        "approved_line": "✓ Approved by {name} {when}",
        "rejected_line": "✗ Rejected by {name} {when}",
        "you_approved": "You approved registration no. {id}. {name} will be told.",
        "you_rejected": "You rejected registration no. {id}. {name} will be told.",
        "req_approved": "Registration no. {id} was approved by {name} ({role}). The communications office will create the account and get in touch.",
        "req_rejected": "Registration no. {id} was rejected by {name} ({role}). Feel free to contact {name} with any questions.",
        "cancel_confirm": "Do you want to cancel registration no. {id}? It will not be submitted (what was said stays in the log).",
        "cancelled": "Registration no. {id} is cancelled.",
        "choice_invalid": "Choose one of the options: {options}.",
        "url_invalid": "That does not look like a web address. Type the whole address, e.g. www.facebook.com/pagename.",
        "required": "This question must be answered and cannot be skipped.",
        "ack_needed": "This step is a checklist to take note of. Press *I have read this* (or type ok) once you have read it.",
        "steps": [
            ("Channel", "Which channel is the registration for?"),
            ("Account address", "What address will the account have?\nTip: For example www.facebook.com/gislavedskommun"),
            ("Purpose and audience", "Briefly describe the purpose of the account and who you want to reach. (Optional)"),
            ("Guidelines", "Before you submit:\n• The account must have at least two administrators.\n• Posts are answered within one working day.\n• Login details go to the communications office, never into the chat.\nRead through and confirm that you have taken note of the points."),
        ],
        "b": {"new": "Register a new account", "help": "Help", "lang": "Svenska", "ack": "I have read this",
              "back": "Back", "skip": "Skip", "submit": "Submit", "edit": "Change an answer",
              "cancel": "Cancel registration", "cancel_yes": "Yes, cancel", "cancel_no": "No, continue",
              "approve": "Approve", "reject": "Reject"},
    },
}
CHANNELS = ["Facebook", "Instagram", "LinkedIn", "YouTube"]
WORDS = {
    "help": {"hjälp", "hjalp", "?", "help"},
    "status": {"status", "läge"},
    "back": {"tillbaka", "bakåt", "back", "previous"},
    "skip": {"hoppa över", "hoppa", "skip"},
    "cancel": {"avbryt", "avsluta", "cancel", "stop"},
    "new": {"ny", "ny anmälan", "nytt konto", "anmäl", "new", "register", "start"},
    "drafts": {"utkast", "mina utkast", "drafts", "my drafts"},
    "submit": {"skicka", "skicka in", "submit", "send"},
    "ack": {"ok", "okej", "klart", "läst", "tagit del", "jag har tagit del", "read", "got it"},
    "yes": {"ja", "j", "yes", "y"},
    "no": {"nej", "n", "no"},
    "greeting": {"hej", "hejsan", "hallå", "hi", "hello", "meny", "menu"},
}


def now():
    return datetime.now(timezone.utc)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def load_catalog(catalog_dir, lang):
    out = {}
    d = Path(catalog_dir) / lang
    for f in sorted(d.glob("*.yaml")):
        for raw in f.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^([A-Za-z0-9_.]+):\s*(.*)$", line)
            if not m:
                continue
            key, value = m.group(1), m.group(2)
            if value.startswith('"'):
                value = json.loads(value)
            elif value.startswith("'"):
                value = value[1:-1].replace("''", "'")
            if key.startswith("webchat."):
                out[key] = value
    return out


class Bot:
    """All state, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []          # dicts with person, id, at, direction, text, buttons, edited_at
        self.next_id = 1
        self.next_draft = 17
        self.sessions = {}          # person -> {"lang", "draft", "pending"}
        self.requests = {}          # "r-17" -> {"requester", "approver", "message_id", "draft"}

    # --- store
    def add(self, person, direction, text, buttons=None, at=None):
        m = {"person": person, "id": self.next_id, "at": iso(at or now()), "direction": direction,
             "text": text, "buttons": buttons or [], "edited_at": None}
        self.next_id += 1
        self.messages.append(m)
        return m

    def transcript(self, person, after):
        return [m for m in self.messages if m["person"] == person and (m["id"] > after or m["edited_at"])]

    def session(self, person):
        return self.sessions.setdefault(person, {"lang": "sv", "draft": None, "pending": None})

    # --- texts
    def tr(self, person, key, **kv):
        s = T[self.session(person)["lang"]][key]
        return s.format(**kv) if kv else s

    def btn(self, person, bid, style="default", value=""):
        return {"id": bid, "label": T[self.session(person)["lang"]]["b"][bid], "value": value, "style": style}

    def welcome(self, person):
        p = PERSON[person]
        lang = self.session(person)["lang"]
        text = T[lang]["welcome"].format(name=p[1], org=ORG_NAME[p[3]][lang])
        return text, [self.btn(person, "new", "primary"), self.btn(person, "help"),
                      {"id": "lang", "value": "en" if lang == "sv" else "sv",
                       "label": T[lang]["b"]["lang"], "style": "default"}]

    def ask(self, person, prefix=None):
        """The current step (or summary) as (text, buttons)."""
        s = self.session(person)
        d = s["draft"]
        lang = s["lang"]
        steps = T[lang]["steps"]
        parts = [prefix] if prefix else []
        if d["step"] >= len(steps):
            lines = [self.tr(person, "summary")]
            for i, (label, _) in enumerate(steps[:3]):
                lines.append(f"{i + 1}. {label}: {d['answers'].get(i) or T[lang]['no_answer']}")
            parts.append("\n".join(lines))
            parts.append(self.tr(person, "summary_end"))
            return "\n\n".join(parts), [self.btn(person, "submit", "primary"), self.btn(person, "edit"),
                                         self.btn(person, "cancel", "danger")]
        label, question = steps[d["step"]]
        parts.append(self.tr(person, "step", n=d["step"] + 1, total=len(steps), label=label) + "\n" + question)
        buttons = []
        if d["step"] == 0:
            buttons = [{"id": "answer", "value": "channel:" + c.lower(), "label": c, "style": "default"} for c in CHANNELS]
        elif d["step"] == 2:
            buttons = [self.btn(person, "skip")]
        elif d["step"] == 3:
            buttons = [self.btn(person, "ack", "primary")]
        if d["step"] > 0:
            buttons.append(self.btn(person, "back"))
        return "\n\n".join(parts), buttons

    # --- input
    def handle(self, person, text=None, action=None, value=""):
        """Returns the bot's replies as a list of (text, buttons)."""
        s = self.session(person)
        d = s["draft"]
        w = (text or "").strip().lower().rstrip(".!")
        out = []

        def say(t, b=None):
            out.append((t, b or []))

        if action == "lang" or w in ("english", "engelska", "svenska", "swedish"):
            s["lang"] = "en" if (value == "en" or w in ("english", "engelska")) else "sv"
            if d:
                say(*self.ask(person, self.tr(person, "lang")))
            else:
                say(self.tr(person, "lang"), self.welcome(person)[1])
            return out
        if action in ("approve", "reject"):
            return self.decide(person, action, value)
        if s["pending"] == "cancel":
            s["pending"] = None
            if action == "cancel_yes" or w in WORDS["yes"]:
                say(self.tr(person, "cancelled", id=d["id"]), self.welcome(person)[1])
                s["draft"] = None
                return out
            say(*self.ask(person))
            return out
        if action == "help" or w in WORDS["help"]:
            say(self.tr(person, "help"))
            return out
        if w in WORDS["status"]:
            if not d:
                say(self.tr(person, "status_none"), self.welcome(person)[1])
            else:
                steps = T[s["lang"]]["steps"]
                current = steps[d["step"]][0] if d["step"] < len(steps) else "–"
                say(self.tr(person, "status", id=d["id"], done=d["step"], total=len(steps), current=current))
            return out
        if w in WORDS["drafts"]:
            if d:
                say(self.tr(person, "drafts", id=d["id"], done=d["step"], total=len(T[s["lang"]]["steps"])))
            else:
                say(self.tr(person, "drafts_none"), self.welcome(person)[1])
            return out
        if action == "new" or w in WORDS["new"]:
            if not d:
                d = s["draft"] = {"id": self.next_draft, "step": 0, "answers": {}}
                self.next_draft += 1
            org = ORG_NAME[PERSON[person][3]][s["lang"]]
            say(self.tr(person, "started", id=d["id"], org=org))
            say(*self.ask(person))
            return out
        if not d:
            if w in WORDS["greeting"]:
                say(*self.welcome(person))
            else:
                say(self.tr(person, "unknown"), self.welcome(person)[1])
            return out
        if action == "cancel" or w in WORDS["cancel"]:
            s["pending"] = "cancel"
            say(self.tr(person, "cancel_confirm", id=d["id"]),
                [self.btn(person, "cancel_yes", "danger"), self.btn(person, "cancel_no")])
            return out
        if action == "back" or w in WORDS["back"]:
            if d["step"] == 0:
                say(self.tr(person, "back_nothing"))
            else:
                d["step"] -= 1
            say(*self.ask(person))
            return out
        steps = T[s["lang"]]["steps"]
        if d["step"] >= len(steps):  # at the summary
            if action == "submit" or w in WORDS["submit"]:
                return self.submit(person)
            if action == "edit" or w.isdigit():
                d["step"] = max(0, min(int(w) - 1, 2)) if w.isdigit() else 0
                say(*self.ask(person))
                return out
            say(*self.ask(person))
            return out
        step = d["step"]
        if step == 0:
            choice = value.split(":", 1)[1] if action == "answer" else w
            match = [c for c in CHANNELS if c.lower() == choice]
            if not match:
                say(self.tr(person, "choice_invalid", options=", ".join(CHANNELS)), self.ask(person)[1])
                return out
            d["answers"][0] = match[0]
        elif step == 1:
            if action == "skip" or w in WORDS["skip"]:
                say(self.tr(person, "required"), self.ask(person)[1])
                return out
            if not re.match(r"^(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?$", (text or "").strip(), re.I):
                say(self.tr(person, "url_invalid"), self.ask(person)[1])
                return out
            d["answers"][1] = text.strip()
        elif step == 2:
            if action == "skip" or w in WORDS["skip"]:
                d["answers"][2] = None
            else:
                d["answers"][2] = text.strip()
        elif step == 3:
            if not (action == "ack" or w in WORDS["ack"]):
                say(self.tr(person, "ack_needed"), self.ask(person)[1])
                return out
        if step in (0, 1, 2) and d["answers"].get(step):
            prefix = self.tr(person, "understood", answer=d["answers"][step])
        else:
            prefix = None
        d["step"] += 1
        say(*self.ask(person, prefix))
        return out

    def submit(self, person):
        s = self.session(person)
        d = s["draft"]
        p = PERSON[person]
        approver = p[6]
        out = []
        if not approver:
            out.append((self.tr(person, "submitted", id=d["id"], chain="–"), []))
            s["draft"] = None
            return out
        a = PERSON[approver]
        role = ROLE_NAME.get(a[5][0], {}).get(s["lang"], a[5][0])
        out.append((self.tr(person, "submitted", id=d["id"], chain=f"{a[1]} ({role})"), []))
        key = f"r-{d['id']}"
        alang = self.session(approver)["lang"]
        text = T[alang]["approval"].format(
            id=d["id"], name=p[1], title=p[2], channel=d["answers"].get(0), url=d["answers"].get(1),
            purpose=d["answers"].get(2) or T[alang]["no_answer"])
        m = self.add(approver, "out", text, [self.btn(approver, "approve", "primary", key),
                                             self.btn(approver, "reject", "danger", key)])
        self.requests[key] = {"requester": person, "approver": approver, "message_id": m["id"], "draft": d}
        s["draft"] = None
        return out

    def decide(self, person, action, key):
        r = self.requests.get(key)
        if not r or r["approver"] != person:
            return [(self.tr(person, "unknown"), [])]
        m = next(x for x in self.messages if x["id"] == r["message_id"])
        when = datetime.now(timezone.utc).astimezone(timezone(timedelta(hours=1))).strftime("%Y-%m-%d %H:%M")
        approver = PERSON[person]
        line = "approved_line" if action == "approve" else "rejected_line"
        m["text"] = m["text"] + "\n\n" + self.tr(person, line, name=approver[1], when=when)
        m["buttons"] = []
        m["edited_at"] = iso(now())
        requester = PERSON[r["requester"]]
        rlang = self.session(r["requester"])["lang"]
        role = ROLE_NAME.get(approver[5][0], {}).get(rlang, approver[5][0])
        msg = "req_approved" if action == "approve" else "req_rejected"
        self.add(r["requester"], "out", T[rlang][msg].format(id=r["draft"]["id"], name=approver[1], role=role))
        del self.requests[key]
        you = "you_approved" if action == "approve" else "you_rejected"
        return [(self.tr(person, you, id=r["draft"]["id"], name=requester[1]), [])]

    def post(self, person, text=None, message_id=None, action=None):
        """Returns (status, body)."""
        if action is not None:
            if message_id == 0:
                offered = self.welcome(person)[1]
            else:
                found = [m for m in self.messages if m["id"] == message_id and m["person"] == person and m["direction"] == "out"]
                offered = found[0]["buttons"] if found else []
            b = next((b for b in offered if b["id"] == action.get("id") and b["value"] == action.get("value", "")), None)
            if b is None:
                return 409, err("stale_button", "Den knappen finns inte (längre) på meddelandet.")
            first = self.add(person, "in", b["label"])
            replies = self.handle(person, action=b["id"], value=b["value"])
        else:
            if text.strip().lower() in ("/fel", "/error"):
                return 503, err("unavailable", "kontobot är tillfälligt otillgänglig. Försök igen om en stund.")
            first = self.add(person, "in", text)
            replies = self.handle(person, text=text)
        new = [first] + [self.add(person, "out", t, b) for t, b in replies]
        return 200, {"messages": [public(m) for m in new]}


def public(m):
    return {k: m[k] for k in ("id", "at", "direction", "text", "buttons", "edited_at")}


def err(code, message):
    return {"error": {"code": code, "message": message}}


def seed(bot):
    """gis-anna mid-registration (started yesterday); gis-per with an approval request from gis-lisa."""
    def run(person, *inputs):
        for x in inputs:
            if isinstance(x, tuple):
                last = [m for m in bot.messages if m["person"] == person and m["direction"] == "out"][-1]
                bot.post(person, message_id=last["id"], action={"id": x[0], "value": x[1]})
            else:
                bot.post(person, text=x)

    with bot.lock:
        run("gis-lisa", "hej", ("new", ""), ("answer", "channel:instagram"), "www.instagram.com/gislavedsfritidsgardar",
            "Visa vad som händer på fritidsgårdarna för unga 13–18 år.", ("ack", ""), ("submit", ""))
        n = len(bot.messages)
        run("gis-anna", "hej", ("new", ""))
        yesterday = now() - timedelta(days=1, hours=3)
        for i, m in enumerate(bot.messages):
            m["at"] = iso(yesterday + timedelta(seconds=20 * i))
        k = len(bot.messages)
        run("gis-anna", ("answer", "channel:facebook"), "www.facebook.com/gislavedfritid")
        for i, m in enumerate(bot.messages[k:]):
            m["at"] = iso(now() - timedelta(minutes=6) + timedelta(seconds=40 * i))
        del n


class Handler(BaseHTTPRequestHandler):
    server_version = "kontobot-fake/1"
    bot = None
    static_dir = None
    catalog_dir = None
    verbose = False

    CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
           "connect-src 'self'; frame-ancestors 'none'")

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def send_json(self, status, body):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path in ("/", "/index.html", "/app.js", "/style.css"):
            name = "index.html" if url.path == "/" else url.path[1:]
            path = Path(self.static_dir) / name
            if not path.is_file():
                return self.send_json(404, err("not_found", "No such file"))
            data = path.read_bytes()
            ctype = {"html": "text/html", "js": "text/javascript", "css": "text/css"}[name.rsplit(".", 1)[1]]
            self.send_response(200)
            self.send_header("Content-Type", ctype + "; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Content-Security-Policy", self.CSP)
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(data)
            return
        if url.path == "/api/catalog":
            lang = q.get("lang", "sv")
            if lang not in ("sv", "en"):
                return self.send_json(400, err("bad_lang", "lang must be sv or en"))
            return self.send_json(200, {"lang": lang, "messages": load_catalog(self.catalog_dir, lang)})
        if url.path == "/api/people":
            orgs = []
            for oid, sv, en in ORGS:
                people = [{"id": p[0], "name": p[1], "title": p[2], "unit": p[4], "roles": p[5]}
                          for p in PEOPLE if p[3] == oid]
                orgs.append({"id": oid, "name": sv, "name_en": en, "people": people})
            return self.send_json(200, {"organisations": orgs})
        if url.path == "/api/messages":
            person = q.get("person")
            if person not in PERSON:
                return self.send_json(404, err("unknown_person", "Okänd person – välj vem du är i listan."))
            try:
                after = int(q.get("after", "0"))
                if after < 0:
                    raise ValueError
            except ValueError:
                return self.send_json(400, err("bad_after", "after must be a message id (a whole number)"))
            with self.bot.lock:
                msgs = [public(m) for m in self.bot.transcript(person, after)]
                if after == 0 and not msgs:
                    text, buttons = self.bot.welcome(person)
                    msgs = [{"id": 0, "at": iso(now()), "direction": "out", "text": text,
                             "buttons": buttons, "edited_at": None}]
            return self.send_json(200, {"messages": msgs})
        self.send_json(404, err("not_found", "No such page"))

    def do_POST(self):
        url = urlparse(self.path)
        if url.path != "/api/messages":
            return self.send_json(404, err("not_found", "No such page"))
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return self.send_json(400, err("bad_json", "Förfrågan är inte giltig JSON."))
        if not isinstance(body, dict) or not isinstance(body.get("person"), str):
            return self.send_json(400, err("bad_request", "Förfrågan saknar eller har felaktiga fält."))
        person = body["person"]
        if person not in PERSON:
            return self.send_json(404, err("unknown_person", "Okänd person – välj vem du är i listan."))
        with self.bot.lock:
            if "action" in body:
                a = body["action"]
                if not isinstance(a, dict) or not isinstance(a.get("id"), str) or not isinstance(body.get("message_id"), int):
                    return self.send_json(400, err("bad_request", "Förfrågan saknar eller har felaktiga fält."))
                status, out = self.bot.post(person, message_id=body["message_id"],
                                            action={"id": a["id"], "value": a.get("value", "")})
            else:
                text = body.get("text")
                if not isinstance(text, str) or not text.strip() or len(text.encode("utf-8")) > 8000:
                    return self.send_json(400, err("bad_text", "text must be non-empty UTF-8 of at most 8000 bytes"))
                status, out = self.bot.post(person, text=text)
        self.send_json(status, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8099)
    ap.add_argument("--static", default=str(REPO / "handlers" / "webchat" / "static"))
    ap.add_argument("--catalog", default=str(REPO / "config" / "messages"))
    ap.add_argument("--seed", action="store_true", help="start with a conversation in progress")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    Handler.bot = Bot()
    Handler.static_dir = os.path.abspath(args.static)
    Handler.catalog_dir = os.path.abspath(args.catalog)
    Handler.verbose = args.verbose
    if args.seed:
        seed(Handler.bot)
    httpd = ThreadingHTTPServer((args.host, args.port), Handler)
    httpd.daemon_threads = True
    print(f"webchat fake on http://{args.host}:{args.port}/", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
