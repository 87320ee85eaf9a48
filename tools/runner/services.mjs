// The platform's services as the runner starts them: name, ports, and the order they start in.
export const SERVICES = [
  { name: 'dwh-ingest', httpPort: 3001, tcpPort: 4001, color: 36 },
  { name: 'feature-store', httpPort: 3002, tcpPort: 4002, color: 35 },
  { name: 'trainer', httpPort: 3003, tcpPort: 4003, color: 33 },
  { name: 'model-serving', httpPort: 3004, tcpPort: 4004, color: 32 },
];

/** The web console: started with the services and ready after them; it calls their HTTP APIs only. */
export const CONSOLE = { name: 'console', httpPort: 3005, tcpPort: 4005, color: 94 };

/** Everything `npm start` runs: the four services, then the console. */
export const APPS = [...SERVICES, CONSOLE];

export const peersSpec = (services = SERVICES) => services.map((s) => `${s.name}=127.0.0.1:${s.tcpPort}`).join(',');

export const entryPoint = (root, name) => `${root}/dist/apps/${name}/apps/${name}/src/main.js`;
