import type { SeededRandom } from './random.js';

/** A web page as history, bookmarks and tabs see it. */
export interface WebPage {
  url: string;
  title: string;
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DIGITS = '0123456789';

/** Words for search queries, form history and slugs. */
const COMMON_WORDS = [
  'best', 'cheap', 'how', 'to', 'fix', 'recipe', 'weather', 'train', 'tickets', 'berlin', 'paris', 'tokyo',
  'rust', 'typescript', 'async', 'iterator', 'error', 'firefox', 'sync', 'bookmarks', 'backup', 'laptop',
  'review', 'vs', 'guide', 'near', 'me', 'opening', 'hours', 'pasta', 'bread', 'sourdough', 'bike', 'repair',
  'flights', 'lisbon', 'hotel', 'football', 'results', 'translate', 'german', 'english', 'meaning', 'of',
  'python', 'docker', 'compose', 'postgres', 'index', 'linux', 'kernel', 'keyboard', 'mechanical', 'coffee',
  'grinder', 'tax', 'return', 'deadline', 'vegan', 'curry', 'lyrics', 'concert', 'museum', 'exhibition',
  'garden', 'tomatoes', 'running', 'shoes', 'marathon', 'training', 'plan', 'birthday', 'gift', 'ideas',
] as const;

const EN_WIKI_TOPICS = [
  'Firefox', 'Mozilla', 'Rust_(programming_language)', 'TypeScript', 'Public-key_cryptography', 'HMAC',
  'Advanced_Encryption_Standard', 'Great_Barrier_Reef', 'Ada_Lovelace', 'Alan_Turing', 'Grace_Hopper',
  'Sourdough', 'Espresso', 'Mount_Everest', 'Amazon_rainforest', 'Apollo_11', 'Voyager_1', 'Black_hole',
  'Photosynthesis', 'Roman_Empire', 'Byzantine_Empire', 'Silk_Road', 'Tour_de_France', 'Chess',
  'Go_(game)', 'Octopus', 'Tardigrade', 'Honey_bee', 'Bauhaus', 'Impressionism', 'Jazz', 'Bossa_nova',
  'Haiku', 'Origami', 'Lisbon', 'Reykjavík', 'Kyoto', 'Montreal', 'Cape_Town', 'Patagonia',
] as const;

const DE_WIKI_TOPICS = [
  'Schloss_Neuschwanstein', 'Straßenbahn_München', 'Bodensee', 'Kölner_Dom', 'Brezel', 'Schwarzwälder_Kirschtorte',
  'Zugspitze', 'Größter_gemeinsamer_Teiler', 'Märchen', 'Grünkohl', 'Oktoberfest', 'Düsseldorf',
] as const;

const JA_WIKI_TOPICS = ['東京都', '富士山', '寿司', '新幹線', '京都市', '抹茶', '折り紙', '俳句', '桜', '温泉'] as const;

const RU_WIKI_TOPICS = ['Москва', 'Санкт-Петербург', 'Байкал', 'Транссибирская_магистраль', 'Шахматы', 'Пельмени'] as const;

const GITHUB_REPOS = [
  ['mozilla', 'gecko-dev', 'Read-only Git mirror of the Mercurial gecko repositories'],
  ['mozilla', 'application-services', 'Firefox Application Services'],
  ['mozilla-services', 'syncstorage-rs', 'Sync Storage server in Rust'],
  ['rust-lang', 'rust', 'Empowering everyone to build reliable and efficient software.'],
  ['nodejs', 'node', 'Node.js JavaScript runtime'],
  ['microsoft', 'TypeScript', 'TypeScript is a superset of JavaScript that compiles to clean JavaScript output.'],
  ['torvalds', 'linux', 'Linux kernel source tree'],
  ['sveltejs', 'svelte', 'web development for the rest of us'],
  ['denoland', 'deno', 'A modern runtime for JavaScript and TypeScript.'],
  ['python', 'cpython', 'The Python programming language'],
  ['golang', 'go', 'The Go programming language'],
  ['restic', 'restic', 'Fast, secure, efficient backup program'],
  ['borgbackup', 'borg', 'Deduplicating archiver with compression and authenticated encryption.'],
  ['gorhill', 'uBlock', 'uBlock Origin - An efficient blocker for Chromium and Firefox. Fast and lean.'],
] as const;

const ISSUE_TITLES = [
  'Crash on startup after update', 'Support for custom certificates', 'Memory leak when syncing large collections',
  'Docs: clarify batch upload limits', 'Build fails on Apple Silicon', 'Add option to disable telemetry',
  'Regression in 2.3: slow bookmark import', 'Typo in README', 'Flaky test on Windows CI',
] as const;

const STACKOVERFLOW_QUESTIONS = [
  'How do I undo the most recent local commits in Git?', 'What is the difference between let and var?',
  'How to iterate over a HashMap in Rust', 'Why is processing a sorted array faster than an unsorted array?',
  'How do I make a TypeScript type readonly deeply?', 'Decode base64url in Node.js without padding',
  'PostgreSQL: upsert with ON CONFLICT returning id', 'How to centre a div horizontally and vertically',
  'Docker container exits immediately after start', 'AES-256-CBC decrypt gives bad decrypt error',
] as const;

const VIDEO_TITLES = [
  'Lofi hip hop radio 📚 beats to relax/study to', 'How to Sharpen a Kitchen Knife', 'The Art of Code',
  'Building a mechanical keyboard from scratch', 'Sourdough for beginners 🍞', 'Rust in 100 Seconds',
  'Tiny Desk Concert', '4K Drone Footage of Iceland', 'Why trains are better than planes', 'Cómo hacer paella valenciana',
] as const;

const SUBREDDITS = ['firefox', 'rust', 'typescript', 'selfhosted', 'cooking', 'AskHistorians', 'bicycling', 'DataHoarder'] as const;

const REDDIT_POSTS = [
  'Firefox sync stopped working after reinstall', 'What is your backup strategy?', 'Finally finished my first bread',
  'PSA: check your container tabs settings', 'Weekly discussion thread', 'Is it worth self-hosting a sync server?',
] as const;

const NEWS_HEADLINES = [
  'Heatwave sets new records across southern Europe', 'Central bank holds interest rates steady',
  'Astronomers spot water vapour on distant exoplanet', 'Rail strike: what travellers need to know',
  'New study links sleep to memory consolidation', 'City unveils plan for car-free centre',
] as const;

const SPIEGEL_HEADLINES = ['Bahnchaos: Was Pendler jetzt wissen müssen', 'Hitzewelle: Die wichtigsten Fragen und Antworten', 'Wie gesund ist Kaffee wirklich?'] as const;

const LEMONDE_HEADLINES = ['Canicule : les départements en vigilance rouge', 'À Lyon, la piétonnisation divise les commerçants', 'Les secrets de la baguette française'] as const;

const ZHIHU_QUESTIONS = ['如何评价 Firefox 的同步功能？', '学习 Rust 有哪些好的资源？', '为什么越来越多人喜欢喝咖啡？'] as const;

const KOREAN_HEADLINES = ['서울 지하철 요금 인상 확정', '올여름 역대급 폭염 예상', '한국 축구 대표팀, 월드컵 예선 승리'] as const;

const PRODUCTS = [
  'Logitech MX Master 3S Wireless Mouse', 'Anker USB C Charger 65W', 'Kindle Paperwhite (16 GB)',
  'The Rust Programming Language, 2nd Edition', 'AeroPress Original Coffee Maker', 'Sony WH-1000XM5 Headphones',
] as const;

const MDN_INTERFACES = ['SubtleCrypto', 'Fetch_API', 'IndexedDB_API', 'Web_Workers_API', 'URLSearchParams', 'TextDecoder', 'ReadableStream', 'AbortController'] as const;

const MDN_METHODS = [['Array', 'flatMap'], ['Promise', 'allSettled'], ['String', 'normalize'], ['Object', 'groupBy'], ['Intl', 'DateTimeFormat'], ['JSON', 'stringify']] as const;

const CRATES = ['serde', 'tokio', 'reqwest', 'clap', 'anyhow', 'rusqlite', 'ring', 'rayon'] as const;

const NPM_PACKAGES = ['fastify', 'zod', 'vitest', 'prisma', 'undici', 'date-fns', 'commander', 'pino'] as const;

const SUMO_ARTICLES = [
  ['sync-firefox-bookmarks-and-browsing-history', 'How do I set up Firefox Sync?'],
  ['export-firefox-bookmarks-to-backup-or-transfer', 'Export Firefox bookmarks to a backup or transfer'],
  ['password-manager-remember-delete-edit-logins', 'Manage your logins and passwords in Firefox'],
  ['containers', 'Firefox Multi-Account Containers'],
] as const;

const ARXIV_TITLES = ['Attention Is All You Need', 'A Survey of Conflict-Free Replicated Data Types', 'Deduplication at Scale: A Practical Study'] as const;

const RECIPES = ['Käsespätzle', 'Apfelstrudel', 'Rinderrouladen', 'Flammkuchen', 'Zwiebelkuchen'] as const;

const GUARDIAN_SECTIONS = ['world', 'technology', 'science', 'environment', 'food'] as const;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;

// Slugs come from the fixed title lists above, so each is computed once.
const slugCache = new Map<string, string>();

function slugify(text: string): string {
  let slug = slugCache.get(text);
  if (slug === undefined) {
    slug = computeSlug(text);
    slugCache.set(text, slug);
  }
  return slug;
}

function computeSlug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function searchQuery(rng: SeededRandom): string {
  return rng.sample(COMMON_WORDS, rng.int(1, 4)).join(' ');
}

function plusEncoded(query: string): string {
  return encodeURIComponent(query).replace(/%20/g, '+');
}

function wikiTitle(topic: string): string {
  return topic.replace(/_/g, ' ');
}

/** One generator per site: each yields realistic URLs and titles with plenty of variety. */
const SITES: ReadonlyArray<readonly [(rng: SeededRandom) => WebPage, number]> = [
  [(rng) => {
    const topic = rng.pick(EN_WIKI_TOPICS);
    const section = rng.chance(0.3) ? `#${rng.pick(['History', 'Overview', 'See_also', 'References', 'Etymology'])}` : '';
    return { url: `https://en.wikipedia.org/wiki/${encodeURIComponent(topic)}${section}`, title: `${wikiTitle(topic)} - Wikipedia` };
  }, 8],
  [(rng) => {
    const topic = rng.pick(DE_WIKI_TOPICS);
    return { url: `https://de.wikipedia.org/wiki/${encodeURIComponent(topic)}`, title: `${wikiTitle(topic)} – Wikipedia` };
  }, 2],
  [(rng) => {
    const topic = rng.pick(JA_WIKI_TOPICS);
    return { url: `https://ja.wikipedia.org/wiki/${encodeURIComponent(topic)}`, title: `${topic} - Wikipedia` };
  }, 1],
  [(rng) => {
    const topic = rng.pick(RU_WIKI_TOPICS);
    return { url: `https://ru.wikipedia.org/wiki/${encodeURIComponent(topic)}`, title: `${wikiTitle(topic)} — Википедия` };
  }, 1],
  [(rng) => {
    const [owner, repo, description] = rng.pick(GITHUB_REPOS);
    const kind = rng.weighted([['repo', 3], ['issues', 4], ['pull', 3]] as const);
    if (kind === 'repo') return { url: `https://github.com/${owner}/${repo}`, title: `GitHub - ${owner}/${repo}: ${description}` };
    const number = rng.int(1, 60_000);
    const label = kind === 'issues' ? 'Issue' : 'Pull Request';
    return { url: `https://github.com/${owner}/${repo}/${kind}/${number}`, title: `${rng.pick(ISSUE_TITLES)} · ${label} #${number} · ${owner}/${repo}` };
  }, 10],
  [(rng) => {
    const question = rng.pick(STACKOVERFLOW_QUESTIONS);
    return { url: `https://stackoverflow.com/questions/${rng.int(1_000_000, 79_999_999)}/${slugify(question)}`, title: `${question} - Stack Overflow` };
  }, 8],
  [(rng) => ({ url: `https://www.youtube.com/watch?v=${rng.string(BASE64URL, 11)}`, title: `${rng.pick(VIDEO_TITLES)} - YouTube` }), 9],
  [(rng) => {
    const query = searchQuery(rng);
    return { url: `https://www.google.com/search?client=firefox-b-d&q=${plusEncoded(query)}`, title: `${query} - Google Search` };
  }, 10],
  [(rng) => {
    const query = searchQuery(rng);
    return { url: `https://duckduckgo.com/?t=ffab&q=${plusEncoded(query)}&ia=web`, title: `${query} at DuckDuckGo` };
  }, 5],
  [(rng) => {
    if (rng.chance(0.5)) {
      const api = rng.pick(MDN_INTERFACES);
      return { url: `https://developer.mozilla.org/en-US/docs/Web/API/${api}`, title: `${api.replace(/_/g, ' ')} - Web APIs | MDN` };
    }
    const [object, method] = rng.pick(MDN_METHODS);
    return {
      url: `https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/${object}/${method}`,
      title: `${object}.prototype.${method}() - JavaScript | MDN`,
    };
  }, 5],
  [(rng) => {
    const subreddit = rng.pick(SUBREDDITS);
    const post = rng.pick(REDDIT_POSTS);
    return { url: `https://www.reddit.com/r/${subreddit}/comments/${rng.string(ALPHANUMERIC, 7)}/${slugify(post).replace(/-/g, '_')}/`, title: `${post} : r/${subreddit}` };
  }, 6],
  [(rng) => ({ url: `https://news.ycombinator.com/item?id=${rng.int(30_000_000, 44_999_999)}`, title: `${rng.pick(NEWS_HEADLINES)} | Hacker News` }), 4],
  [(rng) => ({ url: `https://www.bbc.com/news/articles/c${rng.string(ALPHANUMERIC, 10)}o`, title: `${rng.pick(NEWS_HEADLINES)} - BBC News` }), 3],
  [(rng) => {
    const headline = rng.pick(NEWS_HEADLINES);
    const section = rng.pick(GUARDIAN_SECTIONS);
    const day = String(rng.int(1, 28)).padStart(2, '0');
    return {
      url: `https://www.theguardian.com/${section}/${rng.int(2019, 2025)}/${rng.pick(MONTHS)}/${day}/${slugify(headline)}-${rng.string(ALPHANUMERIC, 4)}`,
      title: `${headline} | ${section[0]?.toUpperCase()}${section.slice(1)} | The Guardian`,
    };
  }, 3],
  [(rng) => {
    const headline = rng.pick(SPIEGEL_HEADLINES);
    return { url: `https://www.spiegel.de/panorama/${slugify(headline)}-a-${rng.string('0123456789abcdef', 8)}`, title: `${headline} - DER SPIEGEL` };
  }, 2],
  [(rng) => {
    const headline = rng.pick(LEMONDE_HEADLINES);
    const day = String(rng.int(1, 28)).padStart(2, '0');
    return {
      url: `https://www.lemonde.fr/societe/article/2024/07/${day}/${slugify(headline)}_${rng.string(DIGITS, 7)}_3224.html`,
      title: headline,
    };
  }, 2],
  [(rng) => ({ url: `https://www.zhihu.com/question/${rng.string(DIGITS, 9)}`, title: `${rng.pick(ZHIHU_QUESTIONS)} - 知乎` }), 1],
  [(rng) => ({ url: `https://n.news.naver.com/article/0${rng.int(10, 99)}/00${rng.string(DIGITS, 8)}`, title: rng.pick(KOREAN_HEADLINES) }), 1],
  [(rng) => {
    const german = rng.chance(0.4);
    const product = rng.pick(PRODUCTS);
    const asin = `B0${rng.string('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 8)}`;
    return german
      ? { url: `https://www.amazon.de/dp/${asin}`, title: `${product} : Amazon.de: Elektronik & Foto` }
      : { url: `https://www.amazon.com/dp/${asin}`, title: `Amazon.com: ${product}` };
  }, 4],
  [(rng) => {
    const crate = rng.pick(CRATES);
    const module = rng.chance(0.5) ? '' : `${rng.pick(['struct', 'fn', 'trait'])}.${rng.pick(['Builder', 'Client', 'Error', 'from_str'])}.html`;
    return { url: `https://docs.rs/${crate}/latest/${crate}/${module}`, title: `${crate} - Rust` };
  }, 3],
  [(rng) => {
    const name = rng.pick(NPM_PACKAGES);
    return { url: `https://www.npmjs.com/package/${name}${rng.chance(0.3) ? `?activeTab=versions` : ''}`, title: `${name} - npm` };
  }, 2],
  [(rng) => ({
    url: `https://www.openstreetmap.org/#map=${rng.int(10, 18)}/${(rng.next() * 120 - 50).toFixed(4)}/${(rng.next() * 340 - 170).toFixed(4)}`,
    title: 'OpenStreetMap',
  }), 2],
  [(rng) => ({ url: `https://mail.google.com/mail/u/0/#inbox/${rng.string('0123456789abcdef', 16)}`, title: `Inbox (${rng.int(1, 400)}) - Gmail` }), 3],
  [(rng) => {
    const [slug, title] = rng.pick(SUMO_ARTICLES);
    return { url: `https://support.mozilla.org/en-US/kb/${slug}${rng.chance(0.3) ? `#w_${rng.pick(['overview', 'troubleshooting', 'step-2'])}` : ''}`, title: `${title} | Firefox Help` };
  }, 2],
  [(rng) => ({ url: `https://arxiv.org/abs/${rng.int(18, 25)}${String(rng.int(1, 12)).padStart(2, '0')}.${rng.string(DIGITS, 5)}`, title: `[arXiv] ${rng.pick(ARXIV_TITLES)}` }), 2],
  [(rng) => {
    const recipe = rng.pick(RECIPES);
    return { url: `https://www.chefkoch.de/rezepte/${rng.string(DIGITS, 7)}/${encodeURIComponent(recipe)}.html`, title: `${recipe} von ${rng.pick(['kochfee', 'Bäckermeister', 'omas_küche'])} | Chefkoch` };
  }, 2],
  [(rng) => {
    const place = rng.pick(['Lisbon', 'Kyoto', 'Reykjavík', 'Montréal', 'Zürich']);
    return { url: `https://www.booking.com/searchresults.html?ss=${encodeURIComponent(place)}&checkin=2025-0${rng.int(1, 9)}-1${rng.int(0, 9)}&group_adults=2`, title: `Booking.com: Hotels in ${place}. Book your hotel now!` };
  }, 2],
];

export function randomWebPage(rng: SeededRandom): WebPage {
  return rng.weighted(SITES)(rng);
}

/** The favicon URL Firefox reports for a page, as synced tabs carry it. */
export function faviconFor(url: string): string {
  return `${new URL(url).origin}/favicon.ico`;
}
