import { anyValue, arrayOf, expected, object, optional, string, type Shape } from './fields.js';

/** A command queued for a device: resetAll, resetEngine, wipeAll, wipeEngine, logout, displayURI, ... */
export interface ClientCommand {
  command: string;
  args?: unknown[];
  flowID?: string;
}

export interface ClientRecord {
  id: string;
  name?: string;
  /** desktop, mobile, tablet, ... */
  type?: string;
  commands?: ClientCommand[];
  fxaDeviceId?: string;
  version?: string;
  protocols?: string[];
  os?: string;
  appPackage?: string;
  application?: string;
  formfactor?: string;
  device?: string;
}

const commandShape: Shape<ClientCommand> = {
  command: string(),
  args: expected(arrayOf(anyValue())),
  flowID: optional(string()),
};

export const clientShape: Shape<ClientRecord> = {
  id: string(),
  name: expected(string()),
  type: expected(string()),
  commands: optional(arrayOf(object(commandShape))),
  fxaDeviceId: optional(string()),
  version: optional(string()),
  protocols: optional(arrayOf(string())),
  os: optional(string()),
  appPackage: optional(string()),
  application: optional(string()),
  formfactor: optional(string()),
  device: optional(string()),
};
