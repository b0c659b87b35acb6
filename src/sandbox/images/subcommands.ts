/**
 * Choosing an image's subcommand from a container's command and args (agnhost's `ENTRYPOINT
 * ["/agnhost"]` + `CMD ["pause"]`: `args: ["netexec", "--http-port=8080"]`, or
 * `command: ["/agnhost", "serve-hostname"]`), and the image as that subcommand runs it. Pure.
 */
import type { ResolvedImage, Subcommand } from './types.js';

const basename = (p: string) => p.split('/').pop() ?? p;

/** The arguments after the image's entrypoint, or undefined when the command runs something else. */
export function entrypointArgs(image: ResolvedImage, command: string[] | undefined, args: string[] | undefined): string[] | undefined {
  if (!command?.length) return args ?? [];
  const entry = image.spec.command[0];
  if (entry && basename(command[0]!) === basename(entry)) return [...command.slice(1), ...(args ?? [])];
  return undefined;
}

/** `--name=value` or `--name value` (also with one dash), as cobra reads a flag. */
export function flagValue(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const prefix of [`--${name}`, `-${name}`]) {
      if (a.startsWith(`${prefix}=`)) return a.slice(prefix.length + 1);
      if (a === prefix) return args[i + 1];
    }
  }
  return undefined;
}

function movePort(sub: Subcommand, port: number): Subcommand {
  const [from] = sub.ports;
  if (from === undefined || from === port) return sub;
  const http = { ...sub.http };
  if (http[from]) {
    http[port] = http[from]!;
    delete http[from];
  }
  const fileServer = sub.fileServer && sub.fileServer.port === from ? { ...sub.fileServer, port } : sub.fileServer;
  return { ...sub, ports: [port, ...sub.ports.slice(1)], http, ...(fileServer ? { fileServer } : {}) };
}

/**
 * The image as the container runs it: for an image with subcommands, the chosen one's ports,
 * answers and logs replace the image's own. Unknown subcommands and other images are unchanged.
 */
export function withSubcommand(image: ResolvedImage, command: string[] | undefined, args: string[] | undefined): ResolvedImage {
  const subs = image.spec.subcommands;
  if (!subs) return image;
  const argv = entrypointArgs(image, command, args);
  if (!argv) return image;
  const name = argv[0] ?? image.spec.defaultSubcommand;
  let sub = name !== undefined && Object.hasOwn(subs, name) ? subs[name]! : undefined;
  if (!sub) return image;
  const flag = sub.portFlag ? flagValue(argv.slice(1), sub.portFlag) : undefined;
  if (flag !== undefined && /^\d+$/.test(flag)) sub = movePort(sub, Number(flag));
  const spec = image.spec;
  return {
    ...image,
    spec: {
      ...spec,
      description: sub.description,
      ports: sub.ports,
      http: sub.http,
      healthPaths: sub.healthPaths ?? [],
      notFound: sub.notFound ?? spec.notFound,
      startupMs: sub.startupMs ?? spec.startupMs,
      startupLogs: sub.startupLogs ?? [],
      readyLogs: sub.readyLogs ?? [],
      fileServer: sub.fileServer,
      command: [...spec.command, ...(argv.length ? argv : [name!])],
    },
  };
}
