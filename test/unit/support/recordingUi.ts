// Dialogs and notifications without a person, for the command code of every service (the
// integration suites hand it to the extension through its test seam): messages recorded,
// confirmations accepted, inputs and picks answered with nothing, external links recorded.
// Plain: no `vscode` import, so plain Node tests may use it too.
export class RecordingUi {
  readonly messages: string[] = [];
  readonly opened: string[] = [];
  info = async (m: string) => void this.messages.push(`info: ${m}`);
  warn = async (m: string) => void this.messages.push(`warn: ${m}`);
  error = async (m: string) => void this.messages.push(`error: ${m}`);
  confirm = async () => true;
  input = async () => undefined;
  pick = async () => undefined;
  openExternal = async (url: string) => {
    this.opened.push(url);
    return true;
  };
}
