export interface FaultySes {
  url: string;
  received: string[];
  requests: { at: number; behaviour: string }[];
  behave(...behaviours: string[]): void;
  stop(): Promise<void>;
}
export function startFaultySes(): Promise<FaultySes>;
export function closedPort(): Promise<number>;
