// Forms the GOV.UK way: an error summary at the top linking to each field, the message
// under the field (aria-describedby), labels that are questions.

import { h } from "./dom.js";
import { t } from "./i18n.js";

function asList(messages) {
  if (Array.isArray(messages)) return messages.flatMap(asList);
  if (messages && typeof messages === "object") return Object.values(messages).flatMap(asList);
  return messages === null || messages === undefined ? [] : [String(messages)];
}

function describe(labels, field) {
  const entry = labels[field];
  if (entry && typeof entry === "object") return { id: entry.id || field, label: entry.label };
  return { id: field, label: entry };
}

// fields: DRF's {field: [messages]} (non_field_errors and detail have no field to link to);
// labels: {field: "Label"} or {field: {id, label}} naming the input that shows each field.
export function errorSummary(fields, labels = {}) {
  const items = [];
  for (const [field, messages] of Object.entries(fields || {})) {
    const { id, label } = describe(labels, field);
    for (const message of asList(messages)) {
      const text = label ? `${label}: ${message}` : message;
      const linked = label || document.getElementById(id);
      items.push(
        h(
          "li",
          {},
          linked
            ? h(
                "a",
                {
                  href: `#${id}`,
                  onclick: (event) => {
                    const target = document.getElementById(id);
                    if (target) {
                      event.preventDefault();
                      target.focus();
                      target.scrollIntoView({ block: "center" });
                    }
                  },
                },
                text,
              )
            : text,
        ),
      );
    }
  }
  const box = h(
    "div",
    {
      class: "error-summary",
      role: "alert",
      tabindex: "-1",
      "aria-labelledby": "error-summary-title",
    },
    h("h2", { id: "error-summary-title", class: "error-summary__title" }, t("common.problem")),
    h("ul", { class: "error-summary__list" }, items),
  );
  // Focused once it is on the page, so a screen reader reads it first.
  setTimeout(() => box.isConnected && box.focus(), 0);
  return box;
}

export function fieldError(id, messages) {
  return h(
    "p",
    { class: "field-error", id: `${id}-error` },
    asList(messages).map((message) =>
      h("span", {}, h("span", { class: "visually-hidden" }, t("common.errorPrefix")), message),
    ),
  );
}

// Show a 400's messages in a form: the summary in `summarySlot`, each message by its field.
export function showErrors(form, summarySlot, fields, labels = {}) {
  clearErrors(form, summarySlot);
  if (!fields || !Object.keys(fields).length) return;
  summarySlot.appendChild(errorSummary(fields, labels));
  for (const [field, messages] of Object.entries(fields)) {
    const { id } = describe(labels, field);
    const input = form.querySelector(`#${CSS.escape(id)}`);
    if (!input) continue;
    const group = input.closest(".form-group") || input.parentElement;
    group.classList.add("form-group--error");
    const error = fieldError(id, messages);
    const hint = group.querySelector(".hint");
    (hint || group.querySelector("label, legend") || input).after(error);
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    input.setAttribute("aria-describedby", [...described, error.id].join(" "));
    input.setAttribute("aria-invalid", "true");
  }
}

export function clearErrors(form, summarySlot) {
  if (summarySlot) summarySlot.replaceChildren();
  for (const error of form.querySelectorAll(".field-error")) {
    const input = form.querySelector(`#${CSS.escape(error.id.replace(/-error$/, ""))}`);
    if (input) {
      const rest = (input.getAttribute("aria-describedby") || "")
        .split(" ")
        .filter((x) => x && x !== error.id);
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
      input.removeAttribute("aria-invalid");
    }
    error.remove();
  }
  for (const group of form.querySelectorAll(".form-group--error")) {
    group.classList.remove("form-group--error");
  }
}

// A labelled text input in its group: {id, label, hint, type, value, autocomplete, ...attrs}.
export function textField({ id, label, hint, type = "text", value = "", ...attrs }) {
  const hintId = hint ? `${id}-hint` : null;
  return h(
    "div",
    { class: "form-group" },
    h("label", { for: id, class: "label" }, label),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("input", {
      id,
      name: id,
      type,
      value,
      class: "input",
      "aria-describedby": hintId,
      ...attrs,
    }),
  );
}

// A single checkbox with its label: {id, label, hint, checked}.
export function checkboxField({ id, label, hint, checked = false, ...attrs }) {
  const hintId = hint ? `${id}-hint` : null;
  return h(
    "div",
    { class: "form-group checkbox" },
    h("input", {
      id,
      name: id,
      type: "checkbox",
      checked,
      class: "checkbox__input",
      "aria-describedby": hintId,
      ...attrs,
    }),
    h("label", { for: id, class: "checkbox__label" }, label),
    hint ? h("p", { class: "hint checkbox__hint", id: hintId }, hint) : null,
  );
}

// A submit button that says it is busy while the request runs.
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}
