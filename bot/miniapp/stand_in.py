"""A stand-in for Telegram's telegram-web-app.js, for tests and the demo only (never production).

It gives the page what Telegram's script would inside the app: `window.Telegram.WebApp` with
`initData` signed with the demo's (or a test's) own token, the theme's colours as
`--tg-theme-*` CSS variables, and a HapticFeedback that notes each tap in
`window.__telegramEvents` so a test can see it.
"""

from __future__ import annotations

import json

from bot.clock import Clock
from bot.miniapp.api import StandIn
from bot.miniapp.auth import init_data_for

# Telegram's own default colours, light and dark (themeParams' keys).
THEMES: dict[str, dict[str, str]] = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#999999",
        "link_color": "#2481cc",
        "button_color": "#2481cc",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#efeff3",
        "destructive_text_color": "#ff3b30",
        "accent_text_color": "#2481cc",
        "section_bg_color": "#ffffff",
        "subtitle_text_color": "#999999",
    },
    "dark": {
        "bg_color": "#17212b",
        "text_color": "#f5f5f5",
        "hint_color": "#708499",
        "link_color": "#6ab3f3",
        "button_color": "#5288c1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#232e3c",
        "destructive_text_color": "#ec3942",
        "accent_text_color": "#6ab2f2",
        "section_bg_color": "#17212b",
        "subtitle_text_color": "#708499",
    },
}

_SCRIPT = """(function () {
  "use strict";
  var events = (window.__telegramEvents = []);
  var theme = %(theme)s;
  var root = document.documentElement;
  Object.keys(theme).forEach(function (key) {
    root.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), theme[key]);
  });
  root.style.setProperty("--tg-color-scheme", %(scheme)s);
  function note(name) {
    return function (value) {
      events.push({ name: name, value: value === undefined ? null : value, at: performance.now() });
      return this;
    };
  }
  window.Telegram = {
    WebApp: {
      initData: %(init_data)s,
      initDataUnsafe: { user: %(user)s },
      version: "8.0",
      platform: "stand-in",
      colorScheme: %(scheme)s,
      themeParams: theme,
      isExpanded: true,
      ready: note("ready"),
      expand: note("expand"),
      close: note("close"),
      onEvent: function () {},
      offEvent: function () {},
      setHeaderColor: note("setHeaderColor"),
      setBackgroundColor: note("setBackgroundColor"),
      HapticFeedback: {
        impactOccurred: note("impact"),
        notificationOccurred: note("notification"),
        selectionChanged: note("selection"),
      },
    },
  };
})();
"""


def stand_in(token: str, clock: Clock, *, user_id: int, first_name: str = "Demo") -> StandIn:
    """The stand-in script for one person; `?user=<id>&theme=dark` in the page's address picks."""

    def script(arguments: dict[str, str]) -> str:
        who = int(arguments["user"]) if arguments.get("user", "").isdigit() else user_id
        scheme = "dark" if arguments.get("theme") == "dark" else "light"
        auth_date = int(clock.now().timestamp())
        user = {"id": who, "first_name": first_name, "language_code": "en"}
        return _SCRIPT % {
            "theme": json.dumps(THEMES[scheme]),
            "scheme": json.dumps(scheme),
            "init_data": json.dumps(init_data_for(who, first_name, token, auth_date)),
            "user": json.dumps(user),
        }

    return StandIn(script=script)
