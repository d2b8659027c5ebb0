/** The page's style sheet (served as /app.css, so the policy needs no inline styles). */
export const PAGE_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #fafafa; }
header { background: #1f2937; color: #fff; padding: 0.6rem 1rem; }
header h1 { margin: 0 0 0.3rem; font-size: 1.2rem; }
nav a { color: #cfe3ff; margin-right: 1rem; }
nav a[aria-current="page"] { color: #fff; font-weight: bold; }
main { padding: 1rem; max-width: 1200px; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; background: #fff; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { white-space: pre-wrap; word-break: break-all; margin: 0; max-width: 60ch; font-size: 12px; }
.ok { color: #116329; font-weight: bold; }
.bad { color: #b42318; font-weight: bold; }
.warn { color: #9a6700; font-weight: bold; }
.allow { fill: #2da44e; } .deny { fill: #cf222e; } .ask { fill: #bf8700; } .other { fill: #8c959f; }
.p50 { fill: #0969da; } .p95 { fill: #9ecbff; }
svg text { font-size: 11px; fill: #1b1f24; }
.legend span { display: inline-block; margin-right: 1rem; }
form label { margin-right: 0.8rem; }
#capped { background: #fff8c5; color: #1b1f24; padding: 0.3rem; }
`;
