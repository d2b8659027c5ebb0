/** The page: its structure only; the script fills it in with the data (as text, never as markup). */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Audit log — governed-mcp</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
<h1>Audit log</h1>
<nav aria-label="Views">
<a href="#overview">Overview</a>
<a href="#timeline">Decisions over time</a>
<a href="#latency">Latency per layer</a>
<a href="#top">Top denied</a>
<a href="#records">Records</a>
<a href="#sessions">Sessions</a>
</nav>
<p id="capped" role="status" hidden></p>
</header>
<main>
<section id="view-overview" aria-labelledby="h-overview"><h2 id="h-overview">Overview</h2><div id="overview-body"></div></section>
<section id="view-timeline" aria-labelledby="h-timeline" hidden><h2 id="h-timeline">Decisions over time</h2><div id="timeline-body"></div></section>
<section id="view-latency" aria-labelledby="h-latency" hidden><h2 id="h-latency">Latency per layer</h2><div id="latency-body"></div></section>
<section id="view-top" aria-labelledby="h-top" hidden><h2 id="h-top">Top denied tools and reason codes</h2><div id="top-body"></div></section>
<section id="view-records" aria-labelledby="h-records" hidden>
<h2 id="h-records">Records</h2>
<form id="record-filters" role="search">
<label>Search <input id="q" type="search" name="q"></label>
<label>Type <select id="type" name="type"><option value="">any</option><option>decision</option><option>outcome</option><option>answer</option><option>chain.start</option><option>chain.resumed</option></select></label>
<label>Outcome <select id="outcome" name="outcome"><option value="">any</option><option>allow</option><option>deny</option><option>ask</option><option>ok</option><option>error</option><option>blocked</option><option>approved</option><option>declined</option></select></label>
<button type="submit">Search</button>
</form>
<p id="records-count" role="status"></p>
<div id="records-body"></div>
<p><button id="prev" type="button">Previous</button> <button id="next" type="button">Next</button></p>
</section>
<section id="view-sessions" aria-labelledby="h-sessions" hidden><h2 id="h-sessions">Sessions</h2><div id="sessions-body"></div></section>
<section id="view-session" aria-labelledby="h-session" hidden><h2 id="h-session">Session</h2><div id="session-body"></div></section>
</main>
</body>
</html>
`;
