"""The public pages as small server-rendered HTML (no script, no framework bundle, a few KiB with inline CSS), so a
cheap phone opening a posted code's URL shows the form at once: the report form (`form_page`), the answer after
sending it and the follow page (`follow_page`), and a refusal (`message_page`).

Texts come from the one translation table (i18n/reports.py, `tr`), so the Reflex screens and these pages say the
same words; Chinese by default, English by `?lang=en` (a link on every page switches)."""

from html import escape

from estate_pwa.i18n import tr
from estate_pwa.models import ReportCategory
from estate_pwa.services.reports.views import FollowView

CATEGORIES = [c.value for c in ReportCategory]
STYLE = """
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",
sans-serif;color:#1a1a1a;background:#f5f5f4}main{max-width:34rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.25rem 0 .5rem}.place{margin:0 0 1rem;color:#3f3f46}
.lang{float:right;color:#0b57d0;padding:.5rem 0}a{color:#0b57d0}
fieldset{border:0;margin:0 0 1rem;padding:0}legend,label{font-weight:600;display:block;margin:0 0 .35rem}
.cats{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}
.cats label{font-weight:500;margin:0;display:flex;gap:.5rem;align-items:center;background:#fff;border:2px solid
#a1a1aa;border-radius:.6rem;padding:.7rem}.cats input{width:1.2rem;height:1.2rem;margin:0}
textarea,input[type=text],input[type=file]{width:100%;font:inherit;padding:.6rem;border:2px solid #71717a;
border-radius:.6rem;background:#fff;margin-bottom:1rem}textarea{min-height:6rem}
.hint{font-size:.9rem;color:#52525b;margin:-.75rem 0 1rem}
button{width:100%;font:inherit;font-weight:700;color:#fff;background:#0b57d0;border:0;border-radius:.6rem;
padding:.9rem}.alert{background:#fee2e2;color:#7f1d1d;border:2px solid #b91c1c;border-radius:.6rem;padding:.75rem;
margin:0 0 1rem}.ok{background:#dcfce7;color:#14532d;border:2px solid #15803d;border-radius:.6rem;padding:.75rem;
margin:0 0 1rem}dl{background:#fff;border-radius:.6rem;padding:.75rem;margin:0 0 1rem}dt{color:#52525b;
font-size:.9rem}dd{margin:0 0 .5rem;font-weight:600}
""".replace("\n", "")


def _lang(lang: object) -> str:
    return "en" if lang == "en" else "zh"


def _page(lang: str, title: str, body: str, switch_href: str) -> str:
    other = "zh" if lang == "en" else "en"
    switch = tr("reports.switch_language", lang)
    return (f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<meta name="description" content="{escape(tr("reports.page_description", lang))}">'
            f'<meta name="robots" content="noindex"><title>{escape(title)}</title><style>{STYLE}</style></head>'
            f'<body><main><a class="lang" href="{escape(switch_href)}?lang={other}" '
            f'lang="{"zh-CN" if other == "zh" else "en"}">{escape(switch)}</a>{body}</main></body></html>')


def form_page(lang: object, path: str, place: str, form_token: str, error: str = "",
              values: dict[str, str] | None = None, **params: object) -> str:
    """The report form for a place; `error` (a translation key, with `params`) shown above it when the last try
    was refused."""
    lang, values = _lang(lang), values or {}
    chosen = values.get("category", "")
    alert = f'<p class="alert" role="alert">{escape(tr(error, lang, **params))}</p>' if error else ""
    cats = "".join(
        f'<label><input type="radio" name="category" value="{c}" required'
        f'{" checked" if c == chosen else ""}>{escape(tr(f"reports.category_{c}", lang))}</label>'
        for c in CATEGORIES)
    body = (
        f'<h1>{escape(tr("reports.page_title", lang))}</h1>'
        f'<p class="place">{escape(tr("reports.place", lang))}{escape(place)}</p>{alert}'
        f'<form method="post" action="{escape(path)}" enctype="multipart/form-data">'
        f'<input type="hidden" name="form" value="{escape(form_token)}">'
        f'<input type="hidden" name="lang" value="{lang}">'
        f'<fieldset><legend>{escape(tr("reports.category", lang))}</legend><div class="cats">{cats}</div></fieldset>'
        f'<label for="description">{escape(tr("reports.description", lang))}</label>'
        f'<textarea id="description" name="description" maxlength="500">'
        f'{escape(values.get("description", ""))}</textarea>'
        f'<label for="photo">{escape(tr("reports.photo", lang))}</label>'
        f'<input type="file" id="photo" name="photo" accept="image/*" capture="environment">'
        f'<p class="hint">{escape(tr("reports.photo_hint", lang))}</p>'
        f'<label for="contact">{escape(tr("reports.contact", lang))}</label>'
        f'<input type="text" id="contact" name="contact" maxlength="60" autocomplete="tel" '
        f'value="{escape(values.get("contact", ""))}">'
        f'<button type="submit">{escape(tr("reports.send", lang))}</button></form>')
    return _page(lang, tr("reports.page_title", lang), body, path)


def follow_page(lang: object, path: str, view: FollowView, just_sent: bool = False) -> str:
    """The reporter's follow page: where the report stands, until handled."""
    lang = _lang(lang)
    sent = f'<p class="ok" role="status">{escape(tr("reports.thanks", lang))}</p>' if just_sent else ""
    handled = (f'<dt>{escape(tr("reports.handled_at", lang))}</dt><dd>{escape(view.handled)}</dd>'
               if view.handled else "")
    body = (
        f'<h1>{escape(tr("reports.follow_title", lang))}</h1>{sent}'
        f'<dl><dt>{escape(tr("reports.where", lang))}</dt><dd>{escape(view.place)}</dd>'
        f'<dt>{escape(tr("reports.category", lang))}</dt>'
        f'<dd>{escape(tr(f"reports.category_{view.category}", lang))}</dd>'
        f'<dt>{escape(tr("reports.received", lang))}</dt><dd>{escape(view.received)}</dd>'
        f'<dt>{escape(tr("reports.status", lang))}</dt>'
        f'<dd id="status">{escape(tr(f"reports.state_{view.state}", lang))}</dd>{handled}</dl>'
        f'<p>{escape(tr("reports.keep_link", lang))}</p>')
    return _page(lang, tr("reports.follow_title", lang), body, path)


def message_page(lang: object, path: str, error: str) -> str:
    """A refusal with nothing else to do on the page (a forged or revoked code, a bad link)."""
    lang = _lang(lang)
    body = (f'<h1>{escape(tr("reports.page_title", lang))}</h1>'
            f'<p class="alert" role="alert">{escape(tr(error, lang))}</p>')
    return _page(lang, tr("reports.page_title", lang), body, path)
