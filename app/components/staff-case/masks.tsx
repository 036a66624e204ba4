// Masked passages on the investigator's case page (ADR 053). <MaskProvider> opens the case's masks once;
// <MaskedText> shows a text with its masked runs as a marker (a button that opens what can be done about it);
// <MaskPassageButton> masks a passage: the one selected in the text, or one typed or pasted into the dialog
// (the keyboard's way). Showing a masked passage needs a reason, is recorded first, and lasts until the page is
// left; removing a mask needs a reason too. The browser holds the case key and so the text: masking is a
// minimisation control for staff views, not a cryptographic one.
import { createContext, useContext, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import { MASKABLE_BODY_FIELDS, type MaskableBodyField, type MaskRecord, type MaskTarget, type ReportBody, type SharePackage } from "../../../crypto";
import { useI18n } from "../../i18n/react";
import type { CaseContext } from "../../staff/case-actions";
import { addMask, liftMask, revealMask } from "../../staff/mask-actions";
import {
  findPassage,
  hiddenPassages,
  hidePassages,
  maskedText,
  maskSegments,
  MaskRangeError,
  openMasks,
  rangesFor,
  sameTarget,
  targetKey,
  type MaskSegment,
  type OpenMask,
} from "../../staff/masks";
import { MASK_REASON_CODES, type MaskReasonCode } from "../../staff/mask-reasons";
import type { StaffCaseView } from "../../staff/wire";
import { UserText } from "../user-text";
import { useSectionAct, type ActProps } from "./section-action";

/** The dialog, with the action runner of the section it was opened from: its result is shown there (ADR 049). */
type DialogState =
  { mode: "add"; target: MaskTarget; text: string; passage: string; act: ActProps["act"] } | { mode: "open"; maskIds: string[]; act: ActProps["act"] } | null;

interface MaskState {
  masks: OpenMask[];
  revealed: ReadonlySet<string>;
  openAdd(target: MaskTarget, text: string, passage: string, act: ActProps["act"]): void;
  openMasked(maskIds: string[], act: ActProps["act"]): void;
}

const MaskContext = createContext<MaskState | null>(null);

function useMasks(): MaskState {
  const m = useContext(MaskContext);
  if (!m) throw new Error("masked text outside <MaskProvider>");
  return m;
}

/** The case's masks, opened under the case key, for the page's sections; also the page's one mask dialog. */
export function MaskProvider(props: { c: StaffCaseView; ctx: CaseContext; names: Map<string, string>; children: ReactNode }) {
  const { c, ctx } = props;
  const { t } = useI18n();
  const opened = useMemo(() => openMasks(ctx.keys.caseKey, c.id, c.masks), [ctx.keys.caseKey, c.id, c.masks]);
  const [revealed, setRevealed] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<DialogState>(null);
  const state: MaskState = {
    masks: opened.masks,
    revealed,
    openAdd: (target, text, passage, act) => setDialog({ mode: "add", target, text, passage, act }),
    openMasked: (maskIds, act) => setDialog({ mode: "open", maskIds, act }),
  };
  // A no-op until a dialog is open: the dialog's buttons act only through the section that opened it.
  const act: ActProps["act"] = dialog ? dialog.act : async () => {};
  return (
    <MaskContext.Provider value={state}>
      {opened.unreadable.length > 0 ? (
        <p className="notice notice--error" data-testid="masks-unreadable">
          {t("mask.unreadable", { count: opened.unreadable.length })}
        </p>
      ) : null}
      {props.children}
      <MaskDialog
        state={dialog}
        masks={opened.masks}
        names={props.names}
        busy={false}
        onClose={() => setDialog(null)}
        onAdd={(record) => act(() => addMask(ctx, record), { slot: "mask" })}
        onShow={(ids, reason) =>
          act(
            async () => {
              for (const id of ids) await revealMask(ctx, id, reason);
              // Shown only once every reveal is on the record.
              setRevealed((before) => new Set([...before, ...ids]));
            },
            { slot: "mask" },
          )
        }
        onLift={(ids, reason) =>
          act(
            async () => {
              for (const id of ids) await liftMask(ctx, id, reason);
            },
            { slot: "mask" },
          )
        }
      />
    </MaskContext.Provider>
  );
}

/** The masks of `target` that cover any of [start, end). */
function masksOver(masks: readonly OpenMask[], target: MaskTarget, start: number, end: number): string[] {
  return masks.filter((m) => sameTarget(m.target, target) && m.ranges.some(([s, e]) => s < end && e > start)).map((m) => m.id);
}

/** A text as staff see it: masked runs are a marker; a run shown after a recorded reveal is highlighted. */
export function MaskedText(props: { target: MaskTarget; text: string | null | undefined; fallback?: ReactNode }) {
  const { target, text } = props;
  const { t } = useI18n();
  const m = useMasks();
  const { act } = useSectionAct();
  if (text === null || text === undefined) return <>{props.fallback ?? null}</>;
  let segments: MaskSegment[];
  try {
    segments = maskSegments(text, rangesFor(m.masks, target));
  } catch (error) {
    if (!(error instanceof MaskRangeError)) throw error;
    // A mask that does not fit this text hides all of it: fail closed.
    segments = [{ kind: "masked", start: 0, end: text.length, hidden: text }];
  }
  return (
    <span data-mask-target={targetKey(target)}>
      {segments.map((s, i) => {
        if (s.kind === "text") return <UserText key={i} text={s.text} kind="prose" />;
        const ids = masksOver(m.masks, target, s.start, s.end);
        if (ids.length > 0 && ids.every((id) => m.revealed.has(id))) {
          return (
            <mark key={i} className="masked masked--shown" title={t("mask.shown.title")} data-testid="masked-shown">
              <UserText text={s.hidden} kind="prose" />
            </mark>
          );
        }
        return (
          <button
            key={i}
            type="button"
            className="masked"
            aria-label={t("mask.marker.label")}
            data-testid="masked-passage"
            onClick={() => m.openMasked(ids.length > 0 ? ids : m.masks.filter((x) => sameTarget(x.target, target)).map((x) => x.id), act)}
          >
            {t("mask.marker")}
          </button>
        );
      })}
    </span>
  );
}

/** The text selected on the page, if it lies within the rendering of `target`. */
function selectionIn(target: MaskTarget): string {
  const sel = typeof window === "undefined" ? null : window.getSelection();
  if (!sel || sel.isCollapsed || sel.rangeCount === 0) return "";
  const box = document.querySelector(`[data-mask-target="${targetKey(target)}"]`);
  if (!box || !box.contains(sel.anchorNode) || !box.contains(sel.focusNode)) return "";
  return sel.toString();
}

/** "Mask a passage…": takes the selection in this text, if any, into the dialog; else the dialog asks for the passage. */
export function MaskPassageButton(props: { target: MaskTarget; text: string | null | undefined; busy: boolean }) {
  const { t } = useI18n();
  const m = useMasks();
  const { act } = useSectionAct();
  // Pressing the button with the mouse may move the selection: it is read as the press begins.
  const selected = useRef("");
  if (props.text === null || props.text === undefined) return null;
  const text = props.text;
  return (
    <button
      type="button"
      className="link-button mask-passage"
      disabled={props.busy}
      data-testid="mask-passage"
      onMouseDown={() => {
        selected.current = selectionIn(props.target);
      }}
      onClick={() => {
        const passage = selected.current || selectionIn(props.target);
        selected.current = "";
        m.openAdd(props.target, text, passage, act);
      }}
    >
      {t("mask.add")}
    </button>
  );
}

function MaskDialog(props: {
  state: DialogState;
  masks: OpenMask[];
  names: Map<string, string>;
  busy: boolean;
  onClose: () => void;
  onAdd: (record: MaskRecord) => Promise<void>;
  onShow: (ids: string[], reason: MaskReasonCode) => Promise<void>;
  onLift: (ids: string[], reason: MaskReasonCode) => Promise<void>;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const { state } = props;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (state && !d.open) d.showModal();
    if (!state && d.open) d.close();
  }, [state]);
  return (
    <dialog ref={ref} className="mask-dialog" aria-labelledby="mask-dialog-title" onClose={props.onClose} data-testid="mask-dialog">
      {state?.mode === "add" ? <AddMaskForm key={`${targetKey(state.target)}|${state.passage}`} {...props} state={state} /> : null}
      {state?.mode === "open" ? <OpenMaskForm {...props} state={state} /> : null}
    </dialog>
  );
}

function AddMaskForm(props: { state: Extract<DialogState, { mode: "add" }>; busy: boolean; onClose: () => void; onAdd: (r: MaskRecord) => Promise<void> }) {
  const { state } = props;
  const { t } = useI18n();
  const [passage, setPassage] = useState(state.passage);
  const [error, setError] = useState<string | null>(null);
  const found = useMemo(() => findPassage(state.text, passage), [state.text, passage]);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    if (passage.length === 0) return setError(t("mask.errors.empty"));
    if (found.length === 0) return setError(t("mask.errors.notFound"));
    const which = String(data.get("which") ?? "all");
    const nth = Number(data.get("nth") ?? 1);
    const ranges = which === "one" && found.length > 1 ? [found[Math.min(Math.max(nth, 1), found.length) - 1]!] : found;
    const reason = String(data.get("reason") ?? "").trim();
    setError(null);
    props.onClose();
    void props.onAdd({ target: state.target, ranges, reason: reason || null });
  };

  return (
    <form method="dialog" noValidate onSubmit={submit}>
      <h2 id="mask-dialog-title">{t("mask.add.title")}</h2>
      <p className="hint">{t("mask.add.intro")}</p>
      {error ? (
        <p className="notice notice--error" role="alert" data-testid="mask-error">
          {error}
        </p>
      ) : null}
      <label htmlFor="mask-passage">{t("mask.passage")}</label>
      <p className="hint" id="mask-passage-hint">
        {t("mask.passage.hint")}
      </p>
      <textarea
        id="mask-passage"
        name="passage"
        rows={3}
        value={passage}
        onChange={(e) => setPassage(e.currentTarget.value)}
        aria-describedby="mask-passage-hint mask-found"
        required
      />
      <p id="mask-found" className="hint" data-testid="mask-found">
        {passage.length === 0 ? "" : t("mask.occurrences", { count: found.length })}
      </p>
      {found.length > 1 ? (
        <fieldset>
          <legend>{t("mask.occurrences.which")}</legend>
          <div className="checkbox">
            <input type="radio" id="mask-which-all" name="which" value="all" defaultChecked />
            <label htmlFor="mask-which-all">{t("mask.occurrences.all", { count: found.length })}</label>
          </div>
          <div className="checkbox">
            <input type="radio" id="mask-which-one" name="which" value="one" />
            <label htmlFor="mask-which-one">{t("mask.occurrences.one")}</label>{" "}
            <select name="nth" aria-label={t("mask.occurrences.nth")} defaultValue="1">
              {found.map((_, i) => (
                <option key={i} value={i + 1}>
                  {i + 1}
                </option>
              ))}
            </select>
          </div>
        </fieldset>
      ) : null}
      <label htmlFor="mask-reason">{t("mask.reason")}</label>
      <textarea id="mask-reason" name="reason" rows={2} maxLength={500} />
      <p className="receipt__actions">
        <button type="submit" className="button button--primary" disabled={props.busy} data-testid="mask-submit">
          {t("mask.submit")}
        </button>{" "}
        <button type="button" className="button" onClick={props.onClose}>
          {t("mask.cancel")}
        </button>
      </p>
    </form>
  );
}

function OpenMaskForm(props: {
  state: Extract<DialogState, { mode: "open" }>;
  masks: OpenMask[];
  names: Map<string, string>;
  busy: boolean;
  onClose: () => void;
  onShow: (ids: string[], reason: MaskReasonCode) => Promise<void>;
  onLift: (ids: string[], reason: MaskReasonCode) => Promise<void>;
}) {
  const { t, when } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const covering = props.masks.filter((m) => props.state.maskIds.includes(m.id));

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const reason = String(data.get("reasonCode") ?? "");
    if (!(MASK_REASON_CODES as readonly string[]).includes(reason)) return setError(t("mask.errors.reason"));
    setError(null);
    props.onClose();
    const ids = covering.map((m) => m.id);
    void (data.get("action") === "lift" ? props.onLift(ids, reason as MaskReasonCode) : props.onShow(ids, reason as MaskReasonCode));
  };

  return (
    <form method="dialog" noValidate onSubmit={submit}>
      <h2 id="mask-dialog-title">{t("mask.open.title")}</h2>
      <ul>
        {covering.map((m) => (
          <li key={m.id}>
            {t("mask.open.by", { name: props.names.get(m.staffUserId) ?? "—", when: when(m.createdAt) })}{" "}
            {m.reason ? (
              <>
                {t("mask.open.reason")} <UserText text={m.reason} kind="prose" />
              </>
            ) : (
              t("mask.open.noReason")
            )}
          </li>
        ))}
      </ul>
      <p className="hint">{t("mask.open.intro")}</p>
      {error ? (
        <p className="notice notice--error" role="alert" data-testid="mask-error">
          {error}
        </p>
      ) : null}
      <fieldset>
        <legend>{t("mask.open.action")}</legend>
        <div className="checkbox">
          <input type="radio" id="mask-action-show" name="action" value="show" defaultChecked />
          <label htmlFor="mask-action-show">{t("mask.open.show")}</label>
        </div>
        <div className="checkbox">
          <input type="radio" id="mask-action-lift" name="action" value="lift" />
          <label htmlFor="mask-action-lift">{t("mask.open.lift")}</label>
        </div>
      </fieldset>
      <label htmlFor="mask-reason-code">
        {t("mask.open.reasonCode")} <span className="tag tag--required">{t("report.required")}</span>
      </label>
      <select id="mask-reason-code" name="reasonCode" defaultValue="" required>
        <option value="">{t("mask.open.reasonChoose")}</option>
        {MASK_REASON_CODES.map((r) => (
          <option key={r} value={r}>
            {t(`mask.reason.${r}`)}
          </option>
        ))}
      </select>
      <p className="receipt__actions">
        <button type="submit" className="button button--primary" disabled={props.busy || covering.length === 0} data-testid="mask-confirm">
          {t("mask.open.submit")}
        </button>{" "}
        <button type="button" className="button" onClick={props.onClose}>
          {t("mask.cancel")}
        </button>
      </p>
    </form>
  );
}

/**
 * The report body as shares with affiliates get it (ADR 053): masked passages replaced by a marker in both
 * languages, since reviewers read either. `maskPackage` hides the same passages in a share made before the masks,
 * where the case page shows it and where an update starts from it; its reviewers keep what they were sent until a
 * new version replaces it.
 */
export type MaskedSharing = ReturnType<typeof useMaskedSharing>;

export function useMaskedSharing(c: StaffCaseView, caseKey: CaseContext["keys"]["caseKey"], body: ReportBody | null) {
  const { t } = useI18n();
  return useMemo(() => {
    const { masks } = openMasks(caseKey, c.id, c.masks);
    const marker = t("mask.marker.shared");
    const fields = MASKABLE_BODY_FIELDS.filter((f) => rangesFor(masks, { record: "body", field: f }).length > 0);
    const passages = (f: MaskableBodyField) => (body ? hiddenPassages(body[f] ?? "", masks, { record: "body", field: f }) : []);
    const masked = body
      ? {
          ...body,
          description: maskedText(body.description, masks, { record: "body", field: "description" }, marker),
          details: maskedText(body.details, masks, { record: "body", field: "details" }, marker),
        }
      : null;
    const maskPackage = (pkg: SharePackage): SharePackage => {
      const out: SharePackage = { ...pkg, fields: { ...pkg.fields }, redacted: [...pkg.redacted] };
      for (const f of fields) {
        const text = out.fields[f];
        if (text === undefined) continue;
        const hidden = hidePassages(text, passages(f), marker);
        if (hidden !== text) {
          out.fields[f] = hidden;
          if (!out.redacted.includes(f)) out.redacted.push(f);
        }
      }
      return out;
    };
    return { body: masked, maskedFields: fields, maskPackage };
  }, [c.id, c.masks, caseKey, body, t]);
}
