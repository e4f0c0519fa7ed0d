export function pseudoTranslate(message: string): string;
export function writePseudoLocale(extensionPath: string, locale: string): { bundle: string; nls: string };
