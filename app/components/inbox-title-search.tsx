// The inbox's title search across every case the investigator can read (ADR 050): the words stay in
// this browser; the titles are fetched and decrypted a batch at a time (app/staff/title-search.ts),
// with a progress bar, a button to stop and one to go on, and matches listed with links as they come.
// The polite live region speaks when a search starts, ends, stops or fails, and when the query's count
// settles, never per batch. The query is not put in the address: it would sit in the browser's history
// in clear, and the page request would carry it to the server.
import { Link } from "@remix-run/react";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import type { StaffKeyPair } from "../../crypto";
import type { MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { StaffClient } from "../staff/staff-client";
import { caseTitlesPath, queryWords, TitleIndex } from "../staff/title-search";
import type { CaseTitlesPage } from "../staff/wire";
import { UserText } from "./user-text";

/** Matches listed at most; the count says how many more. */
const SHOWN = 100;
/** Typing pauses this long before the words are matched and announced. */
const SETTLE_MS = 250;

type Phase = "idle" | "running" | "stopped" | "failed" | "done";

export function InboxTitleSearch(props: { client: StaffClient; keys: StaffKeyPair }) {
  const { t, href, day } = useI18n();
  const id = useId();
  const index = useRef<TitleIndex | null>(null);
  const abort = useRef<AbortController | null>(null);
  const [query, setQuery] = useState("");
  const [settled, setSettled] = useState("");
  const [phase, setPhase] = useState<Phase>("idle");
  const [failure, setFailure] = useState("");
  const [, setBatches] = useState(0);
  const [announcement, setAnnouncement] = useState("");

  if (!index.current) {
    const { client, keys } = props;
    index.current = new TitleIndex((after) => client.get<CaseTitlesPage>(caseTitlesPath(after)), keys);
  }
  const ix = index.current;

  useEffect(() => {
    const timer = setTimeout(() => setSettled(query), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [query]);
  useEffect(() => () => abort.current?.abort(), []);

  const run = () => {
    if (ix.complete || ix.running) return;
    const controller = new AbortController();
    abort.current = controller;
    setPhase("running");
    performance.mark("title-search-start");
    let first = true;
    void ix
      .load(controller.signal, () => {
        if (first && ix.total !== null) setAnnouncement(t("inbox.search.start", { total: ix.total }));
        first = false;
        setBatches((n) => n + 1);
      })
      .then(
        () => {
          if (controller.signal.aborted) return;
          // Measured by the benchmark (bench/titles.ts): every title fetched and decrypted, as the page does it.
          performance.measure("title-search", "title-search-start");
          setPhase("done");
        },
        (error: unknown) => {
          setFailure(t("staff.errors.generic", { code: (error as { code?: string }).code ?? (error as Error).message }));
          setPhase("failed");
        },
      );
  };
  const stop = () => {
    abort.current?.abort();
    setPhase("stopped");
  };

  const hasWords = queryWords(settled).length > 0;
  // A search starts with the first words typed; the titles loaded serve every later query.
  useEffect(() => {
    if (hasWords && phase === "idle") run();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `run` reads the refs; only the words and phase start it
  }, [hasWords, phase]);

  const matches = useMemo(() => ix.match(settled, SHOWN), [ix, settled, ix.loaded]); // eslint-disable-line react-hooks/exhaustive-deps
  const total = ix.total ?? ix.loaded;

  // Announce the end of a search, a stop or a failure, and the count when the words change afterwards.
  useEffect(() => {
    if (!hasWords) return setAnnouncement("");
    if (phase === "done") setAnnouncement(t("inbox.search.done", { count: matches.count, total }));
    else if (phase === "stopped") setAnnouncement(t("inbox.search.stopped", { done: ix.loaded, total, count: matches.count }));
    else if (phase === "failed") setAnnouncement(t("inbox.search.failed", { done: ix.loaded, reason: failure }));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- per phase and query, not per batch
  }, [phase, settled, hasWords]);

  return (
    <section aria-labelledby={`${id}-h`} className="title-search" data-testid="title-search">
      <h2 id={`${id}-h`}>{t("inbox.search.title")}</h2>
      <form role="search" aria-labelledby={`${id}-h`} onSubmit={(e) => e.preventDefault()}>
        <label htmlFor={`${id}-q`}>{t("inbox.search.label")}</label>
        <div className="title-search__row">
          <input
            id={`${id}-q`}
            type="search"
            value={query}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={`${id}-hint`}
            onChange={(e) => setQuery(e.currentTarget.value)}
          />
          {phase === "running" ? (
            <button type="button" className="button" onClick={stop}>
              {t("inbox.search.stop")}
            </button>
          ) : phase === "stopped" || phase === "failed" ? (
            <button type="button" className="button" onClick={run}>
              {t("inbox.search.resume")}
            </button>
          ) : null}
        </div>
        <p className="hint" id={`${id}-hint`}>
          {t("inbox.search.hint")}
        </p>
      </form>
      {phase !== "idle" && ix.total !== null && !ix.complete ? (
        <p className="title-search__progress">
          <progress id={`${id}-p`} max={Math.max(1, total)} value={ix.loaded} aria-labelledby={`${id}-pl`} />{" "}
          <span id={`${id}-pl`}>{t("inbox.search.progress", { done: ix.loaded, total })}</span>
        </p>
      ) : null}
      <p role="status" aria-live="polite" className="title-search__status" data-testid="title-search-status">
        {announcement}
      </p>
      {hasWords && ix.loaded > 0 ? (
        <>
          {matches.count === 0 ? (
            ix.complete ? (
              <p>{t("inbox.search.noMatch")}</p>
            ) : null
          ) : (
            <>
              <h3 className="visually-hidden">{t("inbox.search.results")}</h3>
              <ul className="title-search__results" data-testid="search-results">
                {matches.shown.map((m) => (
                  <li key={m.id}>
                    <Link to={href(`/staff/cases/${m.caseNumber}`)}>{m.caseNumber}</Link> <UserText text={m.title} /> ·{" "}
                    <span className="hint">
                      {t(`staff.status.${m.status}` as MessageKey)} · {day(m.receivedOn)}
                    </span>
                  </li>
                ))}
              </ul>
              {matches.count > matches.shown.length ? (
                <p className="hint">{t("inbox.search.more", { shown: matches.shown.length, count: matches.count })}</p>
              ) : null}
            </>
          )}
          {ix.unreadable > 0 ? <p className="hint">{t("inbox.search.unreadable", { count: ix.unreadable })}</p> : null}
        </>
      ) : null}
    </section>
  );
}
