/** A ROS-style logger: severity levels as rcutils names them, lines formatted as the ROS 2 console does. */
import { timeToSeconds, wallNow } from "./time";

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL";

const SEVERITY: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, FATAL: 50 };

export const LOG_LEVELS: readonly LogLevel[] = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

export function parseLogLevel(text: string): LogLevel {
  const upper = text.trim().toUpperCase();
  const level = upper === "WARNING" ? "WARN" : upper;
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new Error(`log level: expected one of ${LOG_LEVELS.join(", ").toLowerCase()}, found '${text}'`);
}

/** One emitted line, kept structured so tests and the container can inspect it. */
export interface LogRecord {
  level: LogLevel;
  logger: string;
  message: string;
  /** Wall time in seconds, as the ROS console prints it. */
  stampS: number;
}

export type LogSink = (record: LogRecord) => void;

/** Writes `[INFO] [1700000000.123456789] [name]: text` lines, as ROS 2's default console format. */
export const consoleSink: LogSink = (r) => {
  const line = `[${r.level}] [${r.stampS.toFixed(9)}] [${r.logger}]: ${r.message}\n`;
  (SEVERITY[r.level] >= SEVERITY.WARN ? process.stderr : process.stdout).write(line);
};

export interface LoggerOptions {
  /** Logger name: the node's name with namespace dots, as rcl names node loggers (`ns.node`). */
  name: string;
  /** Lowest level emitted. */
  level?: LogLevel;
  /** Where records go; the console by default. */
  sink?: LogSink;
}

export class Logger {
  readonly name: string;
  private level: LogLevel;
  private readonly sink: LogSink;
  private readonly onceKeys = new Set<string>();

  constructor(options: LoggerOptions) {
    this.name = options.name;
    this.level = options.level ?? "INFO";
    this.sink = options.sink ?? consoleSink;
  }

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  getLevel(): LogLevel {
    return this.level;
  }

  isEnabledFor(level: LogLevel): boolean {
    return SEVERITY[level] >= SEVERITY[this.level];
  }

  debug(message: string): void {
    this.log("DEBUG", message);
  }
  info(message: string): void {
    this.log("INFO", message);
  }
  warn(message: string): void {
    this.log("WARN", message);
  }
  error(message: string): void {
    this.log("ERROR", message);
  }
  fatal(message: string): void {
    this.log("FATAL", message);
  }

  /** Logs a message only the first time this key is seen (RCLCPP_WARN_ONCE). */
  once(level: LogLevel, key: string, message: string): void {
    if (this.onceKeys.has(key)) return;
    this.onceKeys.add(key);
    this.log(level, message);
  }

  log(level: LogLevel, message: string): void {
    if (!this.isEnabledFor(level)) return;
    this.sink({ level, logger: this.name, message, stampS: timeToSeconds(wallNow()) });
  }

  /** A child logger (`parent.child`), sharing level and sink. */
  child(suffix: string): Logger {
    return new Logger({ name: `${this.name}.${suffix}`, level: this.level, sink: this.sink });
  }
}

/** rcl's logger name for a node: namespace tokens and name joined by dots, no leading dot. */
export function nodeLoggerName(nodeName: string, namespace: string): string {
  const tokens = namespace.split("/").filter((t) => t.length > 0);
  return [...tokens, nodeName].join(".");
}
