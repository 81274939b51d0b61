/**
 * Who sends requests: browsers (by family, OS and version), crawlers with the address ranges they
 * really crawl from, scripts, uptime monitors and vulnerability scanners.
 */
import { Weighted, type Random } from './random.js';

const CHROME = [118, 119, 120, 121, 122, 123, 124, 125, 126];
const FIREFOX = [115, 120, 121, 122, 123, 124, 125, 126, 127];
const SAFARI = ['16.6', '17.1', '17.2', '17.3', '17.4', '17.5'];
const IOS = ['16_7_8', '17_1_2', '17_3_1', '17_4_1', '17_5_1'];
const ANDROID = ['10; K', '13; SM-A536B', '14; Pixel 8', '14; SM-S918B', '12; M2101K6G'];

/** Browser families with their share of human traffic; each builds its UA from a version. */
const BROWSERS = new Weighted<(rng: Random) => string>([
  [
    30,
    (r) =>
      `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${r.pick(CHROME)}.0.0.0 Safari/537.36`,
  ],
  [
    10,
    (r) =>
      `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${r.pick(CHROME)}.0.0.0 Safari/537.36`,
  ],
  [
    3,
    (r) =>
      `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${r.pick(CHROME)}.0.0.0 Safari/537.36`,
  ],
  [
    18,
    (r) =>
      `Mozilla/5.0 (Linux; Android ${r.pick(ANDROID)}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${r.pick(CHROME)}.0.0.0 Mobile Safari/537.36`,
  ],
  [
    8,
    (r) => {
      const v = r.pick(CHROME);
      return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 Edg/${v}.0.0.0`;
    },
  ],
  [
    5,
    (r) => {
      const v = r.pick(FIREFOX);
      return `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
    },
  ],
  [
    2,
    (r) => {
      const v = r.pick(FIREFOX);
      return `Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
    },
  ],
  [
    2,
    (r) => {
      const v = r.pick(FIREFOX);
      return `Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
    },
  ],
  [
    1,
    (r) => {
      const v = r.pick(FIREFOX);
      return `Mozilla/5.0 (Android 14; Mobile; rv:${v}.0) Gecko/${v}.0 Firefox/${v}.0`;
    },
  ],
  [
    6,
    (r) =>
      `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${r.pick(SAFARI)} Safari/605.1.15`,
  ],
  [
    13,
    (r) =>
      `Mozilla/5.0 (iPhone; CPU iPhone OS ${r.pick(IOS)} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${r.pick(SAFARI)} Mobile/15E148 Safari/604.1`,
  ],
  [
    2,
    (r) =>
      `Mozilla/5.0 (iPad; CPU OS ${r.pick(IOS)} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${r.pick(SAFARI)} Mobile/15E148 Safari/604.1`,
  ],
  [
    2,
    () =>
      'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
  ],
]);

/** A browser user agent. */
export function browserAgent(rng: Random): string {
  return BROWSERS.draw(rng)(rng);
}

/** What kind of client a robot is: it decides what the robot asks for. */
export type RobotKind = 'crawler' | 'script' | 'monitor' | 'scanner';

/** A robot: its user agent (null when it sends none) and where it connects from. */
export interface Robot {
  readonly kind: RobotKind;
  readonly userAgent: string | null;
  /** Address prefixes (one to three octets and a dot) it connects from; empty for cloud scripts. */
  readonly prefixes: readonly string[];
}

const robot = (kind: RobotKind, userAgent: string | null, ...prefixes: string[]): Robot => ({
  kind,
  userAgent,
  prefixes,
});

// Googlebot crawls from 66.249.64.0/19.
const GOOGLEBOT = ['66.249.64.', '66.249.66.', '66.249.68.', '66.249.70.', '66.249.72.', '66.249.79.'];

/** Robots, weighted by how often one starts a visit. */
export const ROBOTS = new Weighted<Robot>([
  [
    14,
    robot(
      'crawler',
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      ...GOOGLEBOT,
    ),
  ],
  [
    10,
    robot(
      'crawler',
      'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.175 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      ...GOOGLEBOT,
    ),
  ],
  [
    8,
    robot(
      'crawler',
      'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
      '157.55.39.',
      '207.46.13.',
      '40.77.167.',
    ),
  ],
  [3, robot('crawler', 'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)', '5.255.231.')],
  [
    2,
    robot(
      'crawler',
      'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)',
      '220.181.108.',
    ),
  ],
  [
    3,
    robot(
      'crawler',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)',
      '17.241.',
    ),
  ],
  [4, robot('crawler', 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', '54.36.148.')],
  [2, robot('crawler', 'DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)', '20.191.45.')],
  [
    2,
    robot(
      'crawler',
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)',
      '20.171.207.',
    ),
  ],
  [5, robot('script', 'curl/8.5.0')],
  [3, robot('script', 'curl/7.81.0')],
  [5, robot('script', 'python-requests/2.31.0')],
  [3, robot('script', 'Go-http-client/1.1')],
  [2, robot('script', 'Wget/1.21.2')],
  [2, robot('script', 'PostmanRuntime/7.36.0')],
  [2, robot('script', 'axios/1.6.7')],
  [1, robot('script', 'okhttp/4.12.0')],
  [
    4,
    robot(
      'monitor',
      'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)',
      '216.144.250.',
      '69.162.124.',
    ),
  ],
  [3, robot('scanner', 'Mozilla/5.0 zgrab/0.x', '167.94.138.', '45.148.10.')],
  [
    2,
    robot(
      'scanner',
      'Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)',
      '162.142.125.',
    ),
  ],
  [2, robot('scanner', null, '185.220.101.', '193.35.18.')],
  [
    2,
    robot(
      'scanner',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36',
      '45.148.10.',
    ),
  ],
]);
