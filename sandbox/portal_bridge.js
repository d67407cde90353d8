// The portal side of the frame protocol: what Bitrix24's page answers to an app's iframe.
// The app posts "command:params:callback:appSid" strings (or {method, params, callback, appSid} objects);
// the answer is "callback:JSON" posted back to the frame's origin.
(function () {
  var config = JSON.parse(document.getElementById('sandbox-portal').textContent);
  var slider = document.getElementById('slider');
  var pendingSlider = null;

  function frameOf(source) {
    var frames = document.querySelectorAll('iframe');
    for (var i = 0; i < frames.length; i++) if (frames[i].contentWindow === source) return frames[i];
    return null;
  }

  function parse(data) {
    if (data && typeof data === 'object') return { command: data.method, params: data.params, callback: data.callback, sid: data.appSid };
    if (typeof data !== 'string') return null;
    var parts = data.split(':');
    if (parts.length < 3) return null;
    var sid = parts.pop(), callback = parts.pop(), command = parts.shift(), raw = parts.join(':'), params = raw;
    try { params = raw ? JSON.parse(raw) : null; } catch (e) { params = raw; }
    return { command: command, params: params, callback: callback, sid: sid };
  }

  function record(msg) {
    var init = config.frames[msg.sid] || {};
    return fetch(config.calls_url, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: msg.command, params: msg.params, app_sid: msg.sid, placement: init.PLACEMENT || '' })
    });
  }

  var handlers = {
    getInitData: function (msg) { return config.frames[msg.sid]; },
    resizeWindow: function (msg, frame) {
      var h = msg.params && msg.params.height;
      if (frame && h) frame.style.height = (typeof h === 'number' ? h + 'px' : h);
      return {};
    },
    fitWindow: function (msg, frame) { return handlers.resizeWindow(msg, frame); },
    openPath: function (msg, frame, reply) {
      document.getElementById('slider-path').textContent = (msg.params && msg.params.path) || '';
      slider.className = 'open';
      pendingSlider = reply;
      return undefined;  // answered when the slider closes, as the portal does
    },
    selectUser: function () {
      var pick = config.users.filter(function (u) { return u.id === String(config.pick); })[0] || config.users[0];
      return pick;
    },
    setInstallFinish: function (msg) {
      var init = config.frames[msg.sid];
      if (init) init.INSTALL = false;
      return {};
    },
    setInstall: function () { return {}; },
    setTitle: function () { return {}; },
    setScroll: function () { return {}; },
    reloadWindow: function () { return {}; }
  };

  document.getElementById('slider-close').addEventListener('click', function () {
    slider.className = '';
    if (pendingSlider) { pendingSlider({ result: 'close' }); pendingSlider = null; }
  });

  window.addEventListener('message', function (event) {
    var frame = frameOf(event.source);
    var msg = parse(event.data);
    if (!frame || !msg || !config.frames[msg.sid]) return;
    var reply = function (result) {
      event.source.postMessage(msg.callback + ':' + JSON.stringify(result === undefined ? {} : result), event.origin);
    };
    record(msg).finally(function () {
      var handler = handlers[msg.command];
      var result = handler ? handler(msg, frame, reply) : { result: 'error', errorCode: 'METHOD_NOT_SUPPORTED' };
      if (result !== undefined) reply(result);
    });
  });

  var forms = document.querySelectorAll('form.placement-form');
  for (var i = 0; i < forms.length; i++) forms[i].submit();
})();
