// The case page's section navigation: plain links to the sections' anchors (they work without scripts, by keyboard,
// and in the browser's history), the current one marked with aria-current as the investigator scrolls or follows
// a link.
import { useEffect, useState } from "react";
import { useI18n } from "../../i18n/react";
import type { CasePage, CaseSection } from "./sections";

export const sectionAnchor = (key: string) => `s-${key}`;

/** The key of the section being read: the last whose top has passed a line a quarter down below the sticky header. */
function useCurrentSection(keys: readonly string[]): string | null {
  const [current, setCurrent] = useState<string | null>(null);
  const joined = keys.join(" ");
  useEffect(() => {
    const list = joined.split(" ");
    let frame = 0;
    const measure = () => {
      frame = 0;
      const header = document.querySelector(".case-header");
      const headerBottom = header && getComputedStyle(header).position === "sticky" ? header.getBoundingClientRect().bottom : 0;
      const line = Math.max(headerBottom, 0) + window.innerHeight * 0.25;
      const atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
      const hash = decodeURIComponent(window.location.hash.slice(1));
      let found: string | null = null;
      for (const key of list) {
        const el = document.getElementById(sectionAnchor(key));
        if (el && el.getBoundingClientRect().top <= line) found = key;
      }
      // At the bottom of the page the last short sections never reach the line: the one linked to wins there.
      const linked = list.find((k) => sectionAnchor(k) === hash);
      if (atEnd && linked) found = linked;
      setCurrent(found ?? list[0] ?? null);
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    window.addEventListener("hashchange", schedule);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      window.removeEventListener("scroll", schedule);
      window.removeEventListener("resize", schedule);
      window.removeEventListener("hashchange", schedule);
    };
  }, [joined]);
  return current;
}

export function SectionNav(props: { sections: readonly CaseSection[]; page: CasePage }) {
  const { t } = useI18n();
  const current = useCurrentSection(props.sections.map((s) => s.key));
  return (
    <nav className="case-nav" aria-label={t("casePage.nav")} data-testid="case-nav">
      <ul>
        {props.sections.map((s) => {
          const count = s.count?.(props.page) ?? 0;
          return (
            <li key={s.key}>
              <a href={`#${sectionAnchor(s.key)}`} aria-current={current === s.key ? "true" : undefined}>
                {t(s.title)}
                {count > 0 ? <span className="case-nav__count"> ({count})</span> : null}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
