// The "Rover" log channel, counting the errors it records (rover._state reports the count; the
// end-to-end suites expect none after activation).
import * as vscode from 'vscode';

export class RoverLog implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Rover', { log: true });
  private errorCount = 0;

  get errors(): number {
    return this.errorCount;
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  error(message: string): void {
    this.errorCount++;
    this.channel.error(message);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
