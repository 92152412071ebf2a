"""Pressing a button that asks first, as a browser without JavaScript does."""

import html
import re

CONFIRM_FOR = re.compile(r'name="confirm_for" value="([^"]*)"')


def post_confirmed(client, url, data):
    """Post `data`; if the page asks to confirm (the issue page shows the
    values back with «Xác nhận ban hành»), confirm those very values."""
    response = client.post(url, data)
    asked = CONFIRM_FOR.search(response.content.decode()) if response.status_code == 200 else None
    if asked is None:
        return response
    return client.post(url, data | {"confirmed": "1", "confirm_for": html.unescape(asked.group(1))})
