// The backcoach timer: today's routine one exercise at a time, a ring timer for each hold,
// and the answer posted to the bot, which applies it exactly as the chat's buttons do.
// Every time shown is computed from the end instant of what is being timed (never by
// counting ticks), so a late frame or a busy phone never makes a hold longer.
(function () {
  "use strict";

  var tg = (window.Telegram && window.Telegram.WebApp) || null;
  var RING = 2 * Math.PI * 54; // the ring's circumference in the SVG's units

  // All time goes through this clock. `rate` lets a test run the page's time faster than
  // real time (the drift test); it is 1 everywhere else.
  var clock = {
    rate: 1,
    realBase: performance.now(),
    pageBase: performance.now(),
    now: function () {
      return this.pageBase + (performance.now() - this.realBase) * this.rate;
    },
    setRate: function (rate) {
      this.pageBase = this.now();
      this.realBase = performance.now();
      this.rate = rate;
    },
    after: function (ms, callback) {
      // Capped below setTimeout's limit (a longer delay fires at once); callers check the
      // time again when it fires.
      return setTimeout(callback, Math.min(Math.max(0, ms) / this.rate, 2147483647));
    },
  };
  var events = [];
  var state = { labels: {}, scale: 1, getReady: 3, session: null, timing: null, pending: null };
  window.backcoach = { clock: clock, events: events, state: state };

  function $(id) {
    return document.getElementById(id);
  }
  function note(type, extra) {
    var event = { type: type, at: clock.now() };
    Object.keys(extra || {}).forEach(function (key) {
      event[key] = extra[key];
    });
    events.push(event);
  }
  function label(key, fallback) {
    return state.labels[key] || fallback || "";
  }

  // --- Telegram, sound, touch and the screen ----------------------------------------------

  var audio = null;
  function wakeAudio() {
    // Browsers start sound only from a tap: this runs in the Ready button's handler.
    if (!audio) {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (Context) {
        try {
          audio = new Context();
        } catch (error) {
          audio = null;
        }
      }
    }
    if (audio && audio.state === "suspended") {
      audio.resume();
    }
  }
  function beep(frequency, seconds) {
    note("beep", { frequency: frequency });
    if (!audio) {
      return;
    }
    var start = audio.currentTime;
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.4, start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + seconds);
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + seconds + 0.05);
  }
  function haptic(kind, style) {
    note("haptic", { kind: kind, style: style });
    var feedback = tg && tg.HapticFeedback;
    if (!feedback) {
      return;
    }
    if (kind === "notification") {
      feedback.notificationOccurred(style);
    } else {
      feedback.impactOccurred(style);
    }
  }

  var wakeLock = null;
  var stayAwake = false;
  function keepAwake(on) {
    stayAwake = on;
    if (!on) {
      if (wakeLock) {
        note("wake-release");
        wakeLock.release().catch(function () {});
        wakeLock = null;
      }
      return;
    }
    if (wakeLock || !("wakeLock" in navigator)) {
      return;
    }
    navigator.wakeLock.request("screen").then(
      function (lock) {
        note("wake-lock");
        wakeLock = lock;
        lock.addEventListener("release", function () {
          if (wakeLock === lock) {
            wakeLock = null;
          }
        });
        if (!stayAwake) {
          keepAwake(false);
        }
      },
      function () {
        // Not allowed here (battery saver, no user gesture): the hold goes on regardless.
      }
    );
  }
  document.addEventListener("visibilitychange", function () {
    // The browser drops the lock when the page is hidden; take it again on return.
    if (stayAwake && document.visibilityState === "visible") {
      keepAwake(true);
    }
  });

  // --- Talking to the bot --------------------------------------------------------------------

  function api(method, path, body) {
    var headers = { Authorization: "tma " + ((tg && tg.initData) || "") };
    if (body) {
      headers["Content-Type"] = "application/json";
    }
    return fetch(path, {
      method: method,
      headers: headers,
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          return { status: response.status, data: data };
        });
    });
  }

  function load() {
    show("loading");
    api("GET", "api/session").then(answered, offline(load));
  }

  function answered(result) {
    var data = result.data || {};
    if (data.labels) {
      state.labels = data.labels;
      document.title = data.labels.title || document.title;
      state.scale = data.scale || 1;
      state.getReady = data.getReady || 3;
    }
    if (result.status === 401 || result.status === 403) {
      message(data.error || "Open this page from the bot's chat in Telegram.");
      return;
    }
    if (result.status !== 200 && result.status !== 409) {
      offline(state.pending || load)();
      return;
    }
    state.pending = null;
    var line = data.line || (result.status === 409 ? data.error : "") || "";
    if (data.ended) {
      message([line, data.ended].filter(Boolean).join("\n\n"), null, true);
      haptic("notification", "success");
      note("ended");
      return;
    }
    if (data.session) {
      exercise(data.session, line);
      return;
    }
    var start = data.canStart ? startSession : null;
    message(data.note || data.intro || label("nothing"), start, !data.canStart);
  }

  function offline(retry) {
    return function () {
      message(label("offline", "I couldn't reach the bot."), retry, false, label("tryAgain", "Try again"));
    };
  }

  function startSession() {
    wakeAudio();
    show("loading");
    state.pending = startSession;
    api("POST", "api/session").then(answered, offline(startSession));
  }

  function sendAnswer(kind, pain) {
    var session = state.session;
    if (!session) {
      return;
    }
    var body = { session: session.id, position: session.position, answer: kind };
    if (kind === "hurts") {
      body.pain = pain;
    }
    note("answer", { answer: kind, pain: pain === undefined ? null : pain });
    setBusy(true);
    var send = function () {
      setBusy(true);
      api("POST", "api/answer", body).then(answered, offline(send));
    };
    state.pending = send;
    send();
  }

  // --- What shows ----------------------------------------------------------------------------

  var main = document.getElementById("app");
  function show(view, step) {
    main.setAttribute("data-view", view);
    if (step) {
      main.setAttribute("data-step", step);
    }
    setBusy(false);
  }
  function setBusy(busy) {
    Array.prototype.forEach.call(document.querySelectorAll("button"), function (button) {
      button.disabled = busy;
    });
  }

  function message(text, action, closable, actionLabel) {
    $("message-text").textContent = text;
    var button = $("message-action");
    button.hidden = !action;
    button.textContent = actionLabel || label("start");
    button.onclick = action;
    var close = $("message-close");
    close.hidden = !closable || !tg;
    close.textContent = label("close");
    show("message");
  }

  function exercise(session, line) {
    state.session = session;
    var info = session.exercise;
    $("position").textContent = info.position;
    $("name").textContent = info.name;
    var figure = $("figure");
    figure.hidden = !info.figure;
    if (info.figure && figure.getAttribute("src") !== info.figure) {
      figure.setAttribute("src", info.figure);
      figure.alt = info.name;
    }
    $("start-position").textContent = info.start;
    var steps = $("steps");
    steps.textContent = "";
    info.steps.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      steps.appendChild(item);
    });
    $("hold-text").textContent = info.holdText;
    $("why").textContent = info.why;
    $("caution").textContent = info.caution || "";
    var step = session.phase === "answer" ? "answer" : session.phase === "pain" ? "pain" : "card";
    $("question").textContent = step === "pain" ? label("painQuestion") : info.question;
    $("line").textContent = line || "";
    show("exercise", step);
    note("shown", { exercise: info.id, step: step });
  }

  // --- Timing --------------------------------------------------------------------------------

  // One timed stretch ("ready", "hold" or "rest") of `seconds` exercise seconds; resolves
  // at its end instant. The display ticks down in exercise seconds whatever the scale.
  function countdown(kind, seconds, text) {
    return new Promise(function (resolve) {
      var unit = 1000 * state.scale;
      var start = clock.now();
      var end = start + seconds * unit;
      var shown = null;
      var finished = false;
      var timer = $("timer");
      // Skip during a hold ends this stretch at once (the chain after it sees `stopped`).
      state.cancel = function () {
        if (!finished) {
          finished = true;
          note(kind + "-cancelled");
          resolve();
        }
      };
      timer.setAttribute("data-kind", kind);
      $("timer-label").textContent = text;
      state.timing = { kind: kind, start: start, end: end };
      note(kind + "-start", { planned: end, seconds: seconds, label: text });

      function draw() {
        var left = Math.max(0, end - clock.now());
        var value = Math.ceil(left / unit - 1e-9);
        if (value !== shown && !finished) {
          shown = value;
          $("seconds").textContent = String(value);
          note("shown", { kind: kind, value: value, due: end - value * unit });
          if (kind === "ready" && value > 0) {
            beep(660, 0.08);
            haptic("impact", "light");
          }
        }
        $("ring").style.strokeDashoffset = String(RING * (1 - left / (end - start || 1)));
      }
      function finish() {
        if (finished) {
          return;
        }
        draw();
        finished = true;
        note(kind + "-end", { planned: end, start: start });
        resolve();
      }
      function frame() {
        if (finished) {
          return;
        }
        if (clock.now() >= end) {
          finish();
          return;
        }
        draw();
        requestAnimationFrame(frame);
      }
      // Each second's number changes by a timer at its own instant (a frame may come late or,
      // in a hidden page, not at all); frames only smooth the ring between them.
      function nextSecond() {
        if (finished) {
          return;
        }
        draw();
        var due = end - (shown - 1) * unit;
        if (shown > 0 && due < end) {
          clock.after(due - clock.now(), nextSecond);
        }
      }
      $("ring").style.strokeDasharray = String(RING);
      nextSecond();
      // The end is its own timer at the end instant: it does not wait for a frame.
      clock.after(end - clock.now(), function check() {
        var left = end - clock.now();
        if (left > 0) {
          clock.after(left, check);
        } else {
          finish();
        }
      });
      requestAnimationFrame(frame);
    });
  }

  function timeExercise() {
    var session = state.session;
    if (!session || state.timing) {
      return;
    }
    wakeAudio();
    keepAwake(true);
    var info = session.exercise;
    var sides = info.sides.length ? info.sides : [null];
    var stopped = false;
    state.stopTiming = function () {
      stopped = true;
      state.cancel();
    };
    show("exercise", "timing");
    $("line").textContent = "";
    var chain = Promise.resolve();
    sides.forEach(function (side, index) {
      var prefix = side ? side + ": " : "";
      chain = chain
        .then(function () {
          return stopped ? null : countdown("ready", state.getReady, prefix + label("getReady"));
        })
        .then(function () {
          if (stopped) {
            return null;
          }
          beep(880, 0.25);
          haptic("impact", "heavy");
          return countdown("hold", info.hold, prefix + label("holding"));
        })
        .then(function () {
          if (stopped) {
            return null;
          }
          beep(523, 0.45);
          haptic("notification", "success");
          if (index + 1 < sides.length) {
            return countdown("rest", info.sideRest, label("rest") + ": " + sides[index + 1]);
          }
          return null;
        });
    });
    chain.then(function () {
      state.timing = null;
      state.stopTiming = null;
      keepAwake(false);
      if (state.session === session && !stopped) {
        show("exercise", "answer");
        note("question", { exercise: info.id });
      }
    });
  }

  // --- Buttons -------------------------------------------------------------------------------

  function setLabels() {
    $("ready").textContent = label("ready");
    $("skip-card").textContent = label("skipExercise");
    $("skip-timing").textContent = label("skipExercise");
    $("done").textContent = label("done");
    $("hurts").textContent = label("hurts");
    $("skip").textContent = label("skip");
    $("pain-legend").textContent = label("painLegend");
    var grid = $("pain");
    if (!grid.childElementCount) {
      for (var score = 0; score <= 10; score += 1) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = String(score);
        button.setAttribute("data-pain", String(score));
        grid.appendChild(button);
      }
    }
  }
  var observer = new MutationObserver(setLabels);
  observer.observe(main, { attributes: true, attributeFilter: ["data-view"] });

  $("ready").addEventListener("click", timeExercise);
  $("skip-card").addEventListener("click", function () {
    sendAnswer("skip");
  });
  $("skip-timing").addEventListener("click", function () {
    // As Skip during a hold in the chat: no hold to sit through first.
    if (state.stopTiming) {
      state.stopTiming();
    }
    sendAnswer("skip");
  });
  $("done").addEventListener("click", function () {
    sendAnswer("done");
  });
  $("skip").addEventListener("click", function () {
    sendAnswer("skip");
  });
  $("hurts").addEventListener("click", function () {
    $("question").textContent = label("painQuestion");
    show("exercise", "pain");
  });
  $("pain").addEventListener("click", function (event) {
    var score = event.target && event.target.getAttribute("data-pain");
    if (score !== null && score !== undefined) {
      sendAnswer("hurts", Number(score));
    }
  });
  $("message-close").addEventListener("click", function () {
    if (tg) {
      tg.close();
    }
  });

  if (tg) {
    tg.ready();
    tg.expand();
  }
  load();
})();
