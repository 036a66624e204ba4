// Administration, categories: the report categories reporters choose from (added, switched on or off,
// never deleted: cases refer to them), and the affiliates as stored.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listCategories } from "../.server/admin/admin";
import { listAffiliates } from "../.server/org/org";
import { services } from "../.server/platform/services";
import { staffBadge } from "../.server/staff/badge";
import { ADMIN, requireStaffPage } from "../.server/staff/guards";
import { adminPost, AdminPage, sectionTitle, useAdminAction } from "../components/admin-page";
import { UserText } from "../components/user-text";
import { useI18n } from "../i18n/react";

export const handle = { title: sectionTitle("categories") };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const admin = await requireStaffPage(s, request, ADMIN);
  const [cats, affs] = await Promise.all([listCategories(s), listAffiliates(s.db)]);
  return {
    me: await staffBadge(s, admin),
    categories: cats.map((c) => ({ id: c.id, nameKo: c.nameKo, nameEn: c.nameEn, active: c.active })),
    affiliates: affs.map((a) => ({ slug: a.slug, nameKo: a.nameKo, nameEn: a.nameEn })),
  };
}

export default function AdminCategories() {
  const { me, categories, affiliates } = useLoaderData<typeof loader>();
  const { t, locale } = useI18n();
  const { message, error, run } = useAdminAction();
  return (
    <AdminPage me={me} section="categories" status={message} error={error}>
      <section aria-labelledby="a-categories">
        <h2 id="a-categories">{t("admin.categories")}</h2>
        <ul data-testid="category-list">
          {categories.map((c) => (
            <li key={c.id}>
              <UserText text={locale === "ko" ? c.nameKo : c.nameEn} /> {c.active ? "" : `(${t("admin.state.disabled")})`}{" "}
              <button type="button" className="link-button" onClick={() => void run(() => adminPost("/api/admin/categories", { id: c.id, active: !c.active }))}>
                {c.active ? t("admin.disable") : t("admin.enable")}
              </button>
            </li>
          ))}
        </ul>
        <form
          method="post"
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            const d = new FormData(e.currentTarget);
            const form = e.currentTarget;
            void run(async () => {
              await adminPost("/api/admin/categories", { nameKo: String(d.get("nameKo") ?? ""), nameEn: String(d.get("nameEn") ?? "") });
              form.reset();
            });
          }}
        >
          <label>
            {t("admin.categories.ko")} <input type="text" name="nameKo" required maxLength={100} />
          </label>
          <label>
            {t("admin.categories.en")} <input type="text" name="nameEn" required maxLength={100} />
          </label>
          <button type="submit" className="button">
            {t("admin.categories.add")}
          </button>
        </form>
      </section>
      <section aria-labelledby="a-affiliates">
        <h2 id="a-affiliates">{t("admin.affiliates")}</h2>
        <ul>
          {affiliates.map((a) => (
            <li key={a.slug}>
              <UserText text={locale === "ko" ? a.nameKo : a.nameEn} />
            </li>
          ))}
        </ul>
      </section>
    </AdminPage>
  );
}
