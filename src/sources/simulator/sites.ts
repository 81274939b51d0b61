/**
 * The sites behind the proxy and what browsing each looks like: an academic journals portal, a
 * single-page web app with its JSON API, a shop and a company site with a blog and docs.
 */
import { Weighted, type Random } from './random.js';
import { apiStatus, hit, pageHit, type Hit } from './responses.js';

/** A file every page of a site links to, with its fixed size. */
export interface Asset {
  readonly path: string;
  readonly bytes: number;
  readonly kind: 'css' | 'js' | 'image' | 'font';
}

/** What a human's visit knows about itself, for the pages that depend on it. */
export interface VisitState {
  readonly loggedIn: boolean;
}

export interface Site {
  readonly host: string;
  /** Stylesheets, scripts, fonts and icons of every page. */
  readonly assets: readonly Asset[];
  /** An image of one page (an illustration, a product photo). */
  image(rng: Random): string;
  /** A human's next step: the first hit, then the requests it causes right away (redirect, XHR). */
  browse(rng: Random, visit: VisitState): Hit[];
  /** A page a crawler asks for. */
  crawl(rng: Random): string;
  /** What a script asks for: an API call or a feed. */
  script(rng: Random): Hit;
}

const SEARCH_TERMS = [
  'heart failure',
  'atrial fibrillation',
  'crispr',
  'covid-19 vaccine',
  'machine learning',
  'sepsis',
  'type 2 diabetes',
  'alzheimer',
  'microbiome',
  'randomized controlled trial',
  'running shoes',
  'usb-c charger',
  'winter jacket',
  'espresso machine',
].map((term) => [encodeURIComponent(term), term.replaceAll(' ', '+')] as const);

function query(rng: Random): string {
  const forms = rng.pick(SEARCH_TERMS);
  return rng.chance(0.7) ? forms[0] : forms[1];
}

function asset(path: string, kind: Asset['kind'], bytes: number): Asset {
  return { path, kind, bytes };
}

const JOURNALS = ['cardiology', 'neurology', 'oncology', 'public-health', 'genetics', 'immunology'];

function doi(rng: Random): string {
  return `10.5555/${rng.pick(JOURNALS).slice(0, 4)}.${rng.between(2015, 2022)}.${rng.logUniform(1, 9000)}`;
}

const journals: Site = {
  host: 'journals.example.org',
  assets: [
    asset('/static/css/main.7c1e2f.css', 'css', 48_213),
    asset('/static/js/vendor.3b9a41.js', 'js', 312_877),
    asset('/static/js/reader.e04d7a.js', 'js', 96_402),
    asset('/static/fonts/source-serif-4.woff2', 'font', 61_540),
    asset('/static/img/logo.svg', 'image', 7_384),
    asset('/favicon.ico', 'image', 15_086),
  ],
  image: (rng) => `/figures/${doi(rng)}/fig${rng.between(1, 6)}.png`,
  browse(rng, visit) {
    const r = rng.below(100);
    if (r < 10) return [pageHit(rng, '/')];
    if (r < 32) {
      const page = rng.chance(0.3) ? `&page=${rng.between(2, 9)}` : '';
      return [pageHit(rng, `/search?q=${query(rng)}${page}`)];
    }
    if (r < 58) return [pageHit(rng, `/article/${doi(rng)}`)];
    if (r < 64) return [hit(rng, 'GET', `/article/${doi(rng)}/pdf`, rng.chance(0.97) ? 200 : 404, 'pdf')];
    if (r < 72) return [pageHit(rng, `/journal/${rng.pick(JOURNALS)}`)];
    if (r < 82) {
      return [
        pageHit(rng, `/journal/${rng.pick(JOURNALS)}/issue/${rng.between(1, 48)}/${rng.between(1, 12)}`),
      ];
    }
    if (r < 86) {
      const format = rng.pick(['bibtex', 'ris', 'endnote']);
      return [hit(rng, 'GET', `/article/${doi(rng)}/citation?format=${format}`, 200, 'text')];
    }
    if (r < 88) return [hit(rng, 'GET', `/cgi-bin/view.php?id=${rng.logUniform(1, 99999)}`, 301, 'html')];
    return login(rng, visit, '/account');
  },
  crawl(rng) {
    const r = rng.below(10);
    if (r < 6) return `/article/${doi(rng)}`;
    if (r < 8) return `/journal/${rng.pick(JOURNALS)}/issue/${rng.between(1, 48)}/${rng.between(1, 12)}`;
    return `/search?q=${query(rng)}`;
  },
  script: (rng) =>
    hit(rng, 'GET', `/api/oai?verb=ListRecords&set=${rng.pick(JOURNALS)}`, apiStatus(rng), 'text'),
};

const app: Site = {
  host: 'app.example.com',
  assets: [
    asset('/assets/index.4f8a2c1e.css', 'css', 27_911),
    asset('/assets/index.9d0b7e33.js', 'js', 498_104),
    asset('/assets/vendor.c2a61f08.js', 'js', 221_760),
    asset('/assets/inter-var.woff2', 'font', 86_912),
    asset('/favicon.svg', 'image', 1_204),
  ],
  image: (rng) => `/avatars/${rng.logUniform(1, 40000)}.webp`,
  browse(rng, visit) {
    if (!visit.loggedIn) return login(rng, visit, '/dashboard');
    const r = rng.below(100);
    const project = rng.logUniform(1, 5000);
    const task = rng.logUniform(1, 200000);
    if (r < 20) {
      return [
        pageHit(rng, '/dashboard'),
        hit(rng, 'GET', `/api/v1/projects?page=${rng.between(1, 4)}`, apiStatus(rng), 'json'),
      ];
    }
    if (r < 40) {
      return [
        pageHit(rng, `/projects/${project}`),
        hit(rng, 'GET', `/api/v1/projects/${project}/tasks?status=open`, apiStatus(rng), 'json'),
      ];
    }
    if (r < 58) return [hit(rng, 'POST', '/api/v1/events', apiStatus(rng, 202), 'json')];
    if (r < 70) return [hit(rng, 'PATCH', `/api/v1/tasks/${task}`, apiStatus(rng), 'json')];
    if (r < 80) return [hit(rng, 'PUT', `/api/v1/projects/${project}`, apiStatus(rng), 'json')];
    if (r < 88) {
      // A cross-origin call from the marketing site: the browser asks first (CORS preflight).
      return [
        hit(rng, 'OPTIONS', `/api/v1/tasks/${task}`, 204, 'json'),
        hit(rng, 'DELETE', `/api/v1/tasks/${task}`, apiStatus(rng, 204), 'json'),
      ];
    }
    if (r < 94) return [hit(rng, 'POST', '/api/v1/tasks', apiStatus(rng, 201), 'json')];
    return [pageHit(rng, '/settings')];
  },
  crawl: (rng) => rng.pick(['/', '/login', '/pricing', '/signup']),
  script(rng) {
    const r = rng.below(10);
    if (r < 5) return hit(rng, 'GET', `/api/v1/projects?page=${rng.between(1, 20)}`, apiStatus(rng), 'json');
    if (r < 8) return hit(rng, 'POST', '/api/v1/events', apiStatus(rng, 202), 'json');
    return hit(rng, 'GET', '/api/v1/health', 200, 'json');
  },
};

const CATEGORIES = ['shoes', 'jackets', 'electronics', 'kitchen', 'garden', 'toys'];
const PRODUCTS = [
  'trail-runner-2',
  'rain-shell',
  'usb-c-charger-65w',
  'espresso-pro',
  'hose-reel',
  'wooden-train',
];

const shop: Site = {
  host: 'shop.example.net',
  assets: [
    asset('/skin/frontend/styles.min.css', 'css', 88_540),
    asset('/js/bundle.min.js', 'js', 402_133),
    asset('/skin/frontend/images/logo.png', 'image', 12_800),
    asset('/favicon.ico', 'image', 5_430),
  ],
  image: (rng) => `/media/catalog/product/${rng.logUniform(100, 99999)}-${rng.pick([400, 800])}.jpg`,
  browse(rng) {
    const r = rng.below(100);
    if (r < 12) return [pageHit(rng, '/')];
    if (r < 34) {
      const sort = rng.chance(0.3) ? `?sort=price&page=${rng.between(1, 6)}` : '';
      return [pageHit(rng, `/category/${rng.pick(CATEGORIES)}${sort}`)];
    }
    if (r < 64) return [pageHit(rng, `/product/${rng.pick(PRODUCTS)}-${rng.logUniform(100, 99999)}`)];
    if (r < 74) return [pageHit(rng, `/search?q=${query(rng)}`)];
    if (r < 86) return [hit(rng, 'POST', '/cart/add', 302, 'html'), pageHit(rng, '/cart')];
    if (r < 94) return [pageHit(rng, '/checkout')];
    return [hit(rng, 'POST', '/checkout/payment', 302, 'html'), pageHit(rng, '/checkout/confirmation')];
  },
  crawl(rng) {
    return rng.chance(0.6)
      ? `/product/${rng.pick(PRODUCTS)}-${rng.logUniform(100, 99999)}`
      : `/category/${rng.pick(CATEGORIES)}`;
  },
  script: (rng) => hit(rng, 'GET', `/feeds/products.xml?category=${rng.pick(CATEGORIES)}`, 200, 'feed'),
};

const POSTS = ['zero-downtime-deploys', 'why-we-moved-to-quorum-queues', 'a-year-of-on-call', 'hiring-2022'];
const DOCS = ['getting-started', 'installation', 'configuration', 'api/authentication', 'api/webhooks'];

const company: Site = {
  host: 'www.example.com',
  assets: [
    asset('/css/site.css', 'css', 21_477),
    asset('/js/site.js', 'js', 38_020),
    asset('/img/hero.webp', 'image', 143_227),
    asset('/favicon.ico', 'image', 4_286),
  ],
  image: (rng) => `/img/blog/${rng.pick(POSTS)}-${rng.between(1, 4)}.jpg`,
  browse(rng) {
    const r = rng.below(100);
    if (r < 25) return [pageHit(rng, '/')];
    if (r < 50) return [pageHit(rng, `/blog/${rng.between(2019, 2022)}/${rng.pick(POSTS)}`)];
    if (r < 75) return [pageHit(rng, `/docs/${rng.pick(DOCS)}`)];
    if (r < 83) return [pageHit(rng, '/about')];
    if (r < 90) return [pageHit(rng, '/contact')];
    if (r < 94) return [hit(rng, 'POST', '/contact', 302, 'html'), pageHit(rng, '/contact/thanks')];
    if (r < 97) return [hit(rng, 'GET', '/feed.xml', 200, 'feed')];
    return [pageHit(rng, `/docs/${rng.pick(DOCS)}/`)];
  },
  crawl: (rng) =>
    rng.chance(0.5) ? `/blog/${rng.between(2019, 2022)}/${rng.pick(POSTS)}` : `/docs/${rng.pick(DOCS)}`,
  script: (rng) => hit(rng, 'GET', '/feed.xml', rng.chance(0.3) ? 304 : 200, 'feed'),
};

/** Signing in: the form, its POST and the redirect to `landing`; a failed attempt shows the form again. */
function login(rng: Random, visit: VisitState, landing: string): Hit[] {
  if (visit.loggedIn) return [pageHit(rng, landing)];
  if (rng.chance(0.12)) return [pageHit(rng, '/login'), hit(rng, 'POST', '/login', 200, 'html')];
  const signIn: Hit = { ...hit(rng, 'POST', '/login', 302, 'html'), signsIn: true };
  return [pageHit(rng, '/login'), signIn, pageHit(rng, landing)];
}

/** The sites, weighted by their share of visits. */
export const SITES = new Weighted<Site>([
  [40, journals],
  [20, app],
  [25, shop],
  [15, company],
]);
