/**
 * Behaviour rules for install-time code: shell command lines and script bodies (JavaScript,
 * shell, PowerShell, Python). Each rule is one regular expression with bounded repetition (no
 * nested quantifiers, so no catastrophic backtracking on hostile input).
 *
 * A rule fires on text; it does not prove intent. Severity says how rarely legitimate install
 * code does the same thing: piping a download into a shell or reading ~/.npmrc is critical,
 * spawning a child process is low (prebuild tools do it).
 */
import type { Severity } from '../../core/index.ts';
import type { BehaviourCategory, InstallHookKind } from './types.ts';

export interface BehaviourRule {
  readonly id: string;
  readonly category: BehaviourCategory;
  readonly severity: Severity;
  readonly message: string;
  readonly pattern: RegExp;
  /** Fire only when the pattern matches at least this many times (default 1). */
  readonly minCount?: number;
  /** Apply only to these hook kinds (default: all). */
  readonly only?: readonly InstallHookKind[];
}

const r = (
  id: string,
  category: BehaviourCategory,
  severity: Severity,
  message: string,
  pattern: RegExp,
  minCount?: number,
  only?: readonly InstallHookKind[],
): BehaviourRule => ({
  id: `install.${category}.${id}`,
  category,
  severity,
  message,
  pattern,
  ...(minCount === undefined ? {} : { minCount }),
  ...(only === undefined ? {} : { only }),
});

/** Command lines (not file bodies, where URLs in comments are common). */
const COMMANDS: readonly InstallHookKind[] = ['npm-lifecycle'];

export const BEHAVIOUR_RULES: readonly BehaviourRule[] = [
  // Fetch and execute remote content.
  r('pipe-to-shell', 'remote-exec', 'critical', 'downloads content and pipes it into a shell or interpreter',
    /\b(?:curl|wget|fetch)\b[^\n|;]{0,300}\|\s{0,5}(?:sudo\s{1,5})?(?:ba|z|da|k)?sh\b|\b(?:curl|wget)\b[^\n|;]{0,300}\|\s{0,5}(?:node|python3?|perl|ruby)\b/gi),
  r('shell-substitution', 'remote-exec', 'critical', 'runs the output of a download (`$(curl …)`, `<(wget …)`)',
    /(?:\$\(|<\(|`)\s{0,5}(?:curl|wget)\b/gi),
  r('powershell-iex', 'remote-exec', 'critical', 'PowerShell downloads and evaluates content',
    /\b(?:iex|Invoke-Expression)\b[^\n]{0,200}\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod|DownloadString|Net\.WebClient)\b|\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod|DownloadString)\b[^\n]{0,200}\|\s{0,5}(?:iex|Invoke-Expression)\b/gi),
  r('download-and-run', 'remote-exec', 'critical', 'downloads a file, makes it executable and runs it',
    /\b(?:curl|wget)\b[^\n]{0,300}(?:&&|;)\s{0,5}chmod\s{1,5}\+x\b/gi),
  r('node-eval-remote', 'remote-exec', 'critical', '`node -e` with network code',
    /\bnode\s{1,5}(?:-e|--eval|-p)\s{1,5}[^\n]{0,400}\b(?:https?\.get|https?\.request|require\(\s{0,3}['"](?:https?|net)['"]|fetch\()/gi),
  r('python-exec-download', 'remote-exec', 'critical', 'Python executes downloaded content',
    /\bexec\s{0,3}\(\s{0,3}(?:urllib\.request\.urlopen|requests\.get|urlopen)\b/gi),
  // A package runner given a URL, git or path spec fetches and runs that package from there, past
  // the registry (`npx https://…/x.tgz`, `npm exec github:u/r`); a registry name goes through it.
  r('runner-remote-package', 'remote-exec', 'critical', 'runs a package from outside the registry (npx, npm exec or dlx with a URL, git or file spec)',
    /\b(?:npx|pnpx|bunx|npm\s{1,3}exec|pnpm\s{1,3}dlx|yarn\s{1,3}dlx)\b[^\n;&|]{0,200}?[\s='"](?:https?:\/\/|git\+|git:\/\/|github:|gitlab:|bitbucket:|gist:|file:)/g),

  // Network access from install code.
  r('downloader', 'remote-fetch', 'high', 'runs a downloader (curl, wget, Invoke-WebRequest, certutil, bitsadmin)',
    /\b(?:curl|wget|Invoke-WebRequest|Invoke-RestMethod|iwr|irm|DownloadString|DownloadFile|certutil\s{1,5}-urlcache|bitsadmin\s{1,5}\/transfer)\b/gi),
  r('raw-ip-url', 'remote-fetch', 'high', 'talks to a raw IP address',
    /\b(?:https?|ftp|tcp|wss?):\/\/\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d{1,5})?/gi),
  r('node-network', 'remote-fetch', 'medium', 'install code opens network connections (http/https/net/dgram/dns, fetch)',
    /\brequire\(\s{0,3}['"](?:node:)?(?:https?|net|dgram|dns|tls)['"]\s{0,3}\)|\bfrom\s{1,3}['"](?:node:)?(?:https?|net|dgram|dns|tls)['"]|\b(?:https?\.(?:get|request)|net\.(?:connect|createConnection)|dns\.(?:resolve\w{0,8}|lookup))\s{0,3}\(|\bfetch\s{0,3}\(\s{0,3}['"`]https?:/g),
  r('python-network', 'remote-fetch', 'medium', 'install code opens network connections (urllib, requests, socket)',
    /\b(?:urllib\.request|urllib2|requests\.(?:get|post)|http\.client|socket\.socket)\b/g),
  r('url-in-hook', 'remote-fetch', 'low', 'an install command contains a URL',
    /\bhttps?:\/\/[^\s'"`)]{3,200}/gi, 1, COMMANDS),

  // Known collection endpoints (webhooks, out-of-band interaction services, paste sites).
  r('collector', 'exfiltration-endpoint', 'critical', 'sends data to a known collection endpoint (webhook, OAST, request bin)',
    /\b(?:discord(?:app)?\.com\/api\/webhooks|hooks\.slack\.com|api\.telegram\.org\/bot|oastify\.com|burpcollaborator\.net|interact\.sh|oast\.(?:fun|live|site|online|pro|me)|pipedream\.net|requestbin\.\w{2,6}|webhook\.site|canarytokens\.\w{2,6}|ngrok(?:-free)?\.(?:io|app|dev)|dnslog\.cn|ceye\.io|beeceptor\.com|transfer\.sh|bashupload\.com|pastebin\.com\/raw)\b/gi),

  // Credentials and secrets.
  // `.npmrc` as a path or a string (`~/.npmrc`, `'.npmrc'`, `$HOME/.npmrc`) and `_authToken` as a
  // key being read or written (`_authToken=`, `'_authToken'`): a comment that mentions either in
  // passing (node-sass's and nx's install code have such comments) is not reading them.
  r('npm-token', 'credential-access', 'critical', 'reads npm credentials (.npmrc, NPM_TOKEN, _authToken)',
    /[/\\~'"]\.npmrc\b|\bNPM_TOKEN\b|\bNODE_AUTH_TOKEN\b|_authToken\s{0,3}=|['"]_authToken['"]/g),
  r('cloud-credentials', 'credential-access', 'critical', 'reads cloud credentials (AWS, GCP, Azure)',
    /\.aws\/credentials|\bAWS_(?:SECRET_ACCESS_KEY|ACCESS_KEY_ID|SESSION_TOKEN)\b|\bGOOGLE_APPLICATION_CREDENTIALS\b|application_default_credentials\.json|\bAZURE_(?:CLIENT_SECRET|CREDENTIALS)\b|\.azure\/(?:accessTokens|msal_token_cache)/g),
  r('git-credentials', 'credential-access', 'critical', 'reads source-hosting credentials (GITHUB_TOKEN, .git-credentials, gh hosts)',
    /\b(?:GITHUB_TOKEN|GH_TOKEN|GITLAB_TOKEN|CI_JOB_TOKEN)\b|\.git-credentials\b|\.config\/gh\/hosts\.ya?ml/g),
  r('ssh-keys', 'credential-access', 'critical', 'reads SSH keys',
    /\.ssh\/(?:id_[a-z0-9]{2,10}|authorized_keys|known_hosts|config)\b|\bid_(?:rsa|ed25519|ecdsa|dsa)\b/g),
  r('system-secrets', 'credential-access', 'critical', 'reads system account files (/etc/passwd, /etc/shadow)',
    /\/etc\/(?:passwd|shadow|sudoers)\b/g),
  r('cloud-metadata', 'credential-access', 'critical', 'queries a cloud instance-metadata service',
    /\b169\.254\.169\.254\b|\bmetadata\.google\.internal\b|\b100\.100\.100\.200\b|\bfd00:ec2::254\b/gi),
  r('container-credentials', 'credential-access', 'high', 'reads container or cluster credentials (.docker/config.json, kubeconfig)',
    /\.docker\/config\.json|\.kube\/config\b|\bKUBECONFIG\b/g),
  r('wallets-browsers', 'credential-access', 'high', 'reads crypto wallets or browser profiles',
    /\bwallet\.dat\b|\.ethereum\/keystore|solana\/id\.json|\bExodus\b|\bnkbihfbeogaeaoehlefnkodbefgpgknn\b|Login Data\b|Local State\b|\bkeychain\b/gi),

  // Environment and host information.
  r('env-dump', 'environment-dump', 'high', 'collects the whole environment (process.env, printenv, os.environ)',
    // Not `{...process.env, X: 1}`, the usual environment of a child process (esbuild's install).
    /JSON\.stringify\(\s{0,3}(?:\{\s{0,3}\.\.\.)?process\.env\s{0,3}[),}]|Object\.(?:keys|entries|values)\(\s{0,3}process\.env\s{0,3}\)|\bprintenv\b|(?:^|[;&|]\s{0,3})env\s{0,3}(?:\||>)|\bos\.environ(?:\.(?:copy|items)\(\)|\s{0,3}\))|\bdict\(\s{0,3}os\.environ\s{0,3}\)/gm),
  r('host-recon', 'reconnaissance', 'low', 'collects host and user information (hostname, user, network interfaces)',
    /\bos\.(?:hostname|userInfo|networkInterfaces|homedir)\s{0,3}\(|\b(?:whoami|hostname|uname\s{1,3}-a|ifconfig|ipconfig)\b|\bgetpass\.getuser\(|\bsocket\.gethostname\(/g, 2),

  // Obfuscation.
  r('base64-to-shell', 'obfuscation', 'critical', 'decodes base64 and runs it',
    /\bbase64\s{1,5}(?:-d|--decode|-D)\b[^\n]{0,100}\|\s{0,5}(?:ba|z)?sh\b|\becho\s{1,5}['"]?[A-Za-z0-9+/=]{40,}['"]?\s{0,5}\|\s{0,5}base64\s{1,5}(?:-d|--decode)/gi),
  r('powershell-encoded', 'obfuscation', 'critical', 'runs an encoded PowerShell command',
    /\bpowershell(?:\.exe)?\b[^\n]{0,100}\s-(?:e|ec|enc|encodedcommand)\s{1,5}[A-Za-z0-9+/=]{20,}/gi),
  r('decode-and-eval', 'obfuscation', 'high', 'decodes a string (base64/hex) and evaluates it',
    /\b(?:eval|Function|exec)\s{0,3}\(\s{0,3}(?:Buffer\.from|atob|base64\.b64decode|codecs\.decode|bytes\.fromhex)\s{0,3}\(/g),
  r('long-base64', 'obfuscation', 'medium', 'contains a long base64 blob',
    /[A-Za-z0-9+/]{400,}={0,2}/g),
  r('hex-escapes', 'obfuscation', 'medium', 'contains long runs of hex or unicode escapes',
    /(?:\\x[0-9a-fA-F]{2}){24,}|(?:\\u[0-9a-fA-F]{4}){16,}/g),
  r('obfuscator-identifiers', 'obfuscation', 'high', 'looks machine-obfuscated (_0x… identifiers)',
    /\b_0x[0-9a-f]{4,6}\b/g, 8),
  r('char-codes', 'obfuscation', 'medium', 'builds strings from long lists of character codes',
    /String\.fromCharCode\(\s{0,3}(?:\d{1,5}\s{0,3},\s{0,3}){12,}|\bchr\(\d{1,5}\)(?:\s{0,3}\+\s{0,3}chr\(\d{1,5}\)){8,}/g),

  // Dynamic code and processes.
  r('eval', 'code-eval', 'medium', 'evaluates dynamically built code (eval, new Function, vm, exec)',
    /\beval\s{0,3}\(|\bnew\s{1,3}Function\s{0,3}\(|\bvm\.(?:runInNewContext|runInThisContext|Script)\b|\bexec\s{0,3}\(\s{0,3}compile\(/g),
  r('child-process', 'shell-exec', 'low', 'starts other processes (child_process, subprocess, os.system)',
    /\brequire\(\s{0,3}['"](?:node:)?child_process['"]\s{0,3}\)|\bfrom\s{1,3}['"](?:node:)?child_process['"]|\b(?:execSync|spawnSync|execFileSync)\s{0,3}\(|\bsubprocess\.(?:run|call|Popen|check_output)\b|\bos\.(?:system|popen)\s{0,3}\(/g),

  // Shells, persistence, damage.
  r('reverse-shell', 'reverse-shell', 'critical', 'opens a reverse shell',
    /\/dev\/tcp\/|\bnc(?:at)?\b[^\n]{0,60}\s-(?:e|c)\s|\bbash\s{1,3}-i\s{0,3}>&|\bmkfifo\b[^\n]{0,100}\bnc\b|\bpty\.spawn\(/g),
  r('persistence', 'persistence', 'high', 'installs itself to run later (cron, shell profile, services, Run keys)',
    /\bcrontab\b|>>\s{0,3}~?\/?[\w/.]{0,40}\.(?:bashrc|zshrc|profile|bash_profile)\b|\/etc\/rc\.local|\bsystemctl\s{1,3}enable\b|\blaunchctl\s{1,3}load\b|\bschtasks\b|CurrentVersion\\\\Run\b/gi),
  r('destructive', 'destructive', 'high', 'deletes home or root directories',
    /\brm\s{1,3}-[a-z]{0,3}r[a-z]{0,3}f?\s{1,3}(?:\/|~|\$HOME|\/\*)(?:\s|$|["'])|\brmdir\s{1,3}\/s\s{1,3}\/q\s{1,3}[A-Z]:\\/gim),

  // Python startup hooks (.pth): lines starting with `import` run at every interpreter start.
  // Medium: a startup hook is a capability (setuptools ships one), as an install script is;
  // what its code does is for the other rules, and whether to allow one is the policy's
  // (python.rego: held for a new or little-used package).
  r('pth-import', 'startup-hook', 'medium', 'a .pth file runs code at every Python start',
    /^\s{0,10}import\s[^\n]{0,400}$/gm, 1, ['pypi-pth']),
];
