/* The admin page's actions: call the admin JSON API with the portal-scoped token the page carries. */
(function () {
  "use strict";
  var button = document.getElementById("rebuild");
  var status = document.getElementById("rebuild-status");
  if (!button || !window.fetch) { return; }

  function api(url, token) {
    return fetch(url, {
      method: "POST", credentials: "omit",
      headers: {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
      body: "{}"
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok) { throw new Error((body && body.message) || res.status); }
        return body;
      });
    });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = "…";
    api(button.dataset.url, button.dataset.token).then(function (body) {
      status.textContent = button.dataset.done + (body.job_id ? " (" + body.job_id + ")" : "");
    }).catch(function (err) {
      status.textContent = button.dataset.failed + ": " + err.message;
      button.disabled = false;
    });
  });
}());
