"""A browserless user agent for SSO tests: one cookie jar shared by both apps (as a browser's,
since both live on the same loopback host), redirects followed, HTML forms submitted."""

from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


class _Forms(HTMLParser):
    """Every <form> of a page: its id, action, method and its inputs' values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "id": attributes.get("id"),
                    "action": attributes.get("action") or "",
                    "method": (attributes.get("method") or "get").lower(),
                    "fields": {},
                }
            )
        elif tag == "input" and self.forms and attributes.get("name"):
            if attributes.get("type") in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.forms[-1]["fields"][attributes["name"]] = attributes.get("value") or ""


def forms_of(page: requests.Response) -> list[dict]:
    """The page's forms, actions resolved against the page's URL."""
    parser = _Forms()
    parser.feed(page.text)
    for form in parser.forms:
        form["action"] = urljoin(page.url, form["action"])
    return parser.forms


class Browser:
    """Follows redirects and submits forms the way a browser without JavaScript would."""

    def __init__(self):
        self.http = requests.Session()

    def close(self) -> None:
        self.http.close()

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.http.get(url, timeout=20, **kwargs)

    def submit(self, page: requests.Response, form_id: str | None = None, **fields: str):
        """Submit the page's form (the one with `form_id`, else the only one) with `fields`."""
        forms = [f for f in forms_of(page) if form_id is None or f["id"] == form_id]
        assert len(forms) == 1, f"expected one form on {page.url}, found {len(forms)}"
        form = forms[0]
        data = {**form["fields"], **fields}
        if form["method"] == "post":
            return self.http.post(form["action"], data=data, timeout=20)
        return self.http.get(form["action"], params=data, timeout=20)

    def cookie(self, name: str) -> str | None:
        return self.http.cookies.get(name)
