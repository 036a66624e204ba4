// The export PDF's font, fetched only when an export is made (ADR 054): Noto Sans KR Regular
// (SIL Open Font License), which covers Hangul, Latin and the common Hanja. Vite copies the file
// into the build's assets and gives its address; pdf-lib embeds only the glyphs a PDF uses.
import fontUrl from "@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf?url";

export async function loadExportFont(): Promise<Uint8Array> {
  const response = await fetch(fontUrl);
  if (!response.ok) throw Object.assign(new Error(`the export font did not load (${response.status})`), { code: "font_unavailable" });
  return new Uint8Array(await response.arrayBuffer());
}
