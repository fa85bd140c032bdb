/**
 * SVG → PNG through resvg (`@resvg/resvg-wasm`: WebAssembly, so the same on Deno, Bun and in the Docker
 * image, no native add-on, no permission beyond reading its files). Text is set in DejaVu Sans from the
 * `dejavu-fonts-ttf` package, so a picture looks the same on a server without any fonts installed.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { initWasm, Resvg } from "@resvg/resvg-wasm";

const require = createRequire(import.meta.url);
let ready: Promise<Uint8Array[]> | null = null;

/** Loads the WebAssembly module and the fonts once per process (or worker). */
function init(): Promise<Uint8Array[]> {
  ready ??= (async () => {
    await initWasm(readFileSync(require.resolve("@resvg/resvg-wasm/index_bg.wasm")));
    return ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) =>
      new Uint8Array(readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${f}`)))
    );
  })();
  ready.catch(() => (ready = null)); // a failed load may be retried by the next picture
  return ready;
}

/** The PNG of an SVG document, `width` pixels wide (the SVG's own width when not given). */
export async function svgToPng(svg: string, width?: number): Promise<Uint8Array> {
  const fontBuffers = await init();
  const resvg = new Resvg(svg, {
    font: { fontBuffers, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
    fitTo: width ? { mode: "width", value: width } : { mode: "original" },
    background: "white",
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
