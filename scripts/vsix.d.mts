export interface VsixEntry {
  name: string;
  read(): Buffer;
}
export function readVsix(file: string): VsixEntry[];
export function extractExtension(file: string, dir: string): string;
