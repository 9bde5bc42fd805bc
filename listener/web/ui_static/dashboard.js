// listener dashboard: the little script of our own. Pages are rendered on the server; this file only
// sends changes to the API (session cookie + X-CSRF-Token header), adds keyboard shortcuts to the
// inbox and polls it for new mentions. It never builds markup from user text.
"use strict";
(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || "";
  const msg = (name) => document.body.dataset[name] || name;

  function flash(text, isError) {
    const box = $("#flash");
    if (!box) return;
    box.textContent = text;
    box.className = isError ? "error" : "ok";
  }

  async function api(method, url, body) {
    const response = await fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: Object.assign({ "X-CSRF-Token": csrf() }, body === undefined ? {} : { "Content-Type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      flash(response.status === 403 ? msg("msgForbidden") : msg("msgError").replace("{status}", response.status), true);
      throw new Error("listener: " + method + " " + url + " -> " + response.status);
    }
    return response.status === 204 ? null : response.json();
  }

  // --- signing in and out, language -------------------------------------------------------------
  const login = $("#login-form");
  if (login) {
    login.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = $("#login-error");
      const response = await fetch("/api/auth/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: $("#username").value, password: $("#password").value }),
      });
      if (response.ok) {
        window.location.assign(login.dataset.next || "/");
      } else {
        error.textContent = response.status === 429 ? error.dataset.wait : error.dataset.bad;
      }
    });
  }
  $$('[data-action="logout"]').forEach((button) =>
    button.addEventListener("click", async () => {
      await api("POST", "/api/auth/logout");
      window.location.assign("/login");
    })
  );
  $$('[data-action="language"]').forEach((select) =>
    select.addEventListener("change", async () => {
      await api("POST", "/ui/language", { language: select.value });
      window.location.reload();
    })
  );

  // Filter forms send only the fields that are set (an empty status is not a status).
  $$("form.filters").forEach((form) =>
    form.addEventListener("submit", () => {
      $$("input, select", form).forEach((field) => { if (field.name && field.value === "") field.disabled = true; });
    })
  );

  // Picking a day of the custom period selects the custom period.
  $$('input[type="date"][name="from"], input[type="date"][name="to"]').forEach((field) =>
    field.addEventListener("change", () => {
      const custom = $('input[name="period"][value="custom"]', field.form);
      if (custom) custom.checked = true;
    })
  );

  // --- the inbox ------------------------------------------------------------------------------------
  const table = $("table.inbox");
  const rows = () => $$("tr.mention", table);
  let current = -1;

  function focusRow(index) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach((row) => row.classList.remove("current"));
    all[current].classList.add("current");
    all[current].focus();
  }

  function currentRow() {
    const all = rows();
    return current >= 0 && current < all.length ? all[current] : null;
  }

  async function setWorkflow(row, change) {
    await api("PATCH", "/api/mentions/" + row.dataset.id + "/workflow", change);
    if (change.status) {
      const cell = $(".status", row);
      cell.dataset.status = change.status;
      cell.textContent = JSON.parse(table.dataset.labels || "{}")[change.status] || change.status;
    }
    if (change.assignee_id) {
      const chosen = $('#assign-to option[value="' + change.assignee_id + '"]');
      $(".assignee", row).textContent = chosen ? chosen.textContent : (table.dataset.meName || "");
    }
    flash(msg("msgSaved"));
  }

  // Parts that take longer than the page (the inbox's counts, the overview's first to answer) arrive after it.
  $$("aside.facets[data-src], ol.first[data-src]").forEach((part) => {
    fetch(part.dataset.src, { credentials: "same-origin" }).then(async (response) => {
      if (!response.ok) return;
      const holder = document.createElement("template");
      holder.innerHTML = await response.text();
      part.replaceChildren(holder.content);
    });
  });

  if (table) {
    document.addEventListener("keydown", (event) => {
      const target = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (target && (["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(target.tagName) || target.isContentEditable)) return;
      const row = currentRow();
      if (event.key === "j") focusRow(current + 1);
      else if (event.key === "k") focusRow(current - 1);
      else if (event.key === "o" && row) window.location.assign("/mentions/" + row.dataset.id);
      else if (event.key === "x" && row) { const box = $(".pick", row); if (box) box.checked = !box.checked; }
      else if (event.key === "h" && row) setWorkflow(row, { status: "handled" }).catch(() => {});
      else if (event.key === "a" && row) pickAssignee(row);
      else return;
      event.preventDefault();
    });
    const all = $("#select-all");
    if (all) all.addEventListener("change", () => $$(".pick", table).forEach((box) => { box.checked = all.checked; }));

    // Assigning one mention (the "a" key) offers the active users, the signed-in one first selected.
    const dialog = $("#assign-dialog");
    let assigning = null;
    function pickAssignee(row) {
      if (!dialog) { setWorkflow(row, { assignee_id: Number(table.dataset.me) }).catch(() => {}); return; }
      assigning = row;
      dialog.returnValue = "";
      dialog.showModal();
      $("#assign-to").focus();
    }
    if (dialog) {
      dialog.addEventListener("close", () => {
        const row = assigning;
        assigning = null;
        if (!row) return;
        if (dialog.returnValue === "assign") setWorkflow(row, { assignee_id: Number($("#assign-to").value) }).catch(() => {});
        row.focus();
      });
    }

    // Bulk actions: status, assignee, department (routing) and a tag, on the selection or the whole filter.
    const bulk = $("#bulk");
    if (bulk) {
      bulk.addEventListener("submit", async (event) => {
        event.preventDefault();
        const change = {};
        if ($("#bulk-status").value) change.status = $("#bulk-status").value;
        if ($("#bulk-assignee").value) change.assignee_id = Number($("#bulk-assignee").value);
        if ($("#bulk-department") && $("#bulk-department").value) change.department = $("#bulk-department").value;
        if ($("#bulk-tag").value.trim()) change.add_tags = [$("#bulk-tag").value.trim()];
        if ($("#bulk-scope").value === "filter") {
          // The whole filter may be thousands of mentions (everything, with no filter): ask first.
          if (!window.confirm(msg("msgBulkAll"))) return;
          const query = bulk.dataset.query;
          await api("POST", "/api/mentions/bulk" + (query ? "?" + query : ""), { change: change });
        } else {
          const ids = $$(".pick:checked", table).map((box) => Number(box.value));
          if (!ids.length) { flash(msg("msgPick"), true); return; }
          await api("POST", "/api/mentions/bulk", { ids: ids, change: change });
        }
        window.location.reload();
      });
    }

    // New mentions appear without a reload: the server renders the rows, we put them on top.
    const every = Number(table.dataset.poll || 10000);
    const poll = async () => {
      const query = table.dataset.query;
      const url = "/inbox/new?" + (query ? query + "&" : "") + "after=" + table.dataset.newest;
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        const count = Number(response.headers.get("X-New-Count") || "0");
        if (response.ok && count > 0) {
          const holder = document.createElement("template");
          holder.innerHTML = await response.text();
          const fresh = $$("tr.mention", holder.content);
          fresh.forEach((row) => row.classList.add("fresh"));
          $("#rows").prepend(holder.content);
          table.dataset.newest = String(Math.max(...fresh.map((row) => Number(row.dataset.id)), Number(table.dataset.newest)));
          flash(msg("msgNew").replace("{count}", String(count)));
        }
      } finally {
        window.setTimeout(poll, every);
      }
    };
    window.setTimeout(poll, every);
  }

  // --- saved views: the current filter under a name; each user sees only their own -------------------
  const saveView = $("#save-view");
  if (saveView) {
    saveView.addEventListener("submit", async (event) => {
      event.preventDefault();
      const made = await api("POST", "/api/views", { name: $("#view-name").value, query: saveView.dataset.query });
      window.location.assign(made.href);
    });
  }
  $$('[data-action="delete-view"]').forEach((button) =>
    button.addEventListener("click", async () => {
      await api("DELETE", "/api/views/" + button.dataset.view);
      window.location.reload();
    })
  );

  // --- one mention ----------------------------------------------------------------------------------
  const detail = $("article.mention-detail");
  if (detail) {
    const id = detail.dataset.id;
    $$('[data-action="label"]').forEach((button) =>
      button.addEventListener("click", async () => {
        await api("POST", "/api/mentions/" + id + "/labels", { label: button.dataset.label });
        $$('[data-action="label"]').forEach((b) => { if (b.parentNode === button.parentNode) b.setAttribute("aria-pressed", "false"); });
        button.setAttribute("aria-pressed", "true");
        const item = document.createElement("li");
        item.textContent = button.textContent;
        $("#labels").append(item);
        flash(msg("msgLabelled"));
      })
    );
    const workflow = $("#workflow");
    if (workflow) {
      workflow.addEventListener("submit", async (event) => {
        event.preventDefault();
        const assignee = $("#w-assignee").value;
        const change = { status: $("#w-status").value, assignee_id: assignee ? Number(assignee) : null };
        if ($("#w-tags").value.trim()) change.add_tags = [$("#w-tags").value.trim()];
        await api("PATCH", "/api/mentions/" + id + "/workflow", change);
        window.location.reload();
      });
    }
    const note = $("#note-form");
    if (note) {
      note.addEventListener("submit", async (event) => {
        event.preventDefault();
        await api("POST", "/api/mentions/" + id + "/notes", { body: $("#note").value });
        window.location.reload();
      });
    }
  }

  // --- people, settings -------------------------------------------------------------------------------
  const erase = $("#erase-form");
  if (erase) {
    erase.addEventListener("submit", async (event) => {
      event.preventDefault();
      if ($("#erase-confirm").value !== erase.dataset.handle) { flash(msg("msgConfirm"), true); return; }
      await api("DELETE", "/api/authors/" + erase.dataset.author);
      window.location.assign("/people");
    });
  }
  const tokenForm = $("#token-form");
  if (tokenForm) {
    tokenForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const made = await api("POST", "/api/tokens", { name: $("#token-name").value });
      $("#token-value").textContent = made.token;
      $("#token-shown").hidden = false;
    });
  }
  // --- ideas: status (drafts a reply to each supporter) and rename ---------------------------------
  const ideaStatus = $("#idea-status");
  if (ideaStatus) {
    ideaStatus.addEventListener("submit", async (event) => {
      event.preventDefault();
      const change = { status: $("#i-status").value };
      if ($("#i-reason").value.trim()) change.reason = $("#i-reason").value.trim();
      await api("POST", "/api/ideas/" + ideaStatus.dataset.idea + "/status", change);
      window.location.reload();
    });
  }
  const ideaRename = $("#idea-rename");
  if (ideaRename) {
    ideaRename.addEventListener("submit", async (event) => {
      event.preventDefault();
      await api("PATCH", "/api/ideas/" + ideaRename.dataset.idea, { title: $("#i-title").value });
      window.location.reload();
    });
  }
  const ideaOwner = $("#idea-owner");
  if (ideaOwner) {
    ideaOwner.addEventListener("submit", async (event) => {
      event.preventDefault();
      await api("PUT", "/api/ideas/" + ideaOwner.dataset.idea + "/owner", { owner: $("#i-owner").value.trim() || null });
      window.location.reload();
    });
  }
  const ideaMerge = $("#idea-merge");
  if (ideaMerge) {
    ideaMerge.addEventListener("submit", async (event) => {
      event.preventDefault();
      await api("POST", "/api/ideas/" + ideaMerge.dataset.idea + "/merge", { sources: [Number($("#i-merge").value)] });
      window.location.reload();
    });
  }
  const ideaSplit = $("#idea-split");
  if (ideaSplit) {
    ideaSplit.addEventListener("submit", async (event) => {
      event.preventDefault();
      const ids = $$(".split-pick:checked", ideaSplit).map((box) => Number(box.value));
      if (!ids.length) { flash(msg("msgPick"), true); return; }
      const change = { mention_ids: ids };
      if ($("#i-split-title").value.trim()) change.title = $("#i-split-title").value.trim();
      const made = await api("POST", "/api/ideas/" + ideaSplit.dataset.idea + "/split", change);
      window.location.assign("/ideas/" + made.id);
    });
  }
  $$('[data-action="revoke-token"]').forEach((button) =>
    button.addEventListener("click", async () => {
      await api("DELETE", "/api/tokens/" + button.dataset.token);
      window.location.reload();
    })
  );
})();
