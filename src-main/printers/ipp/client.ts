/**
 * A typed IPP client: the operations Printo Help needs (RFC 8011 §4, CUPS Implementation of IPP),
 * on top of the codec and the HTTP transport.
 */
import { userInfo } from 'node:os';
import { PrintoError } from '../../../src-shared/errors.ts';
import { groupOf, groupsOf } from './attributes.ts';
import type { IppAttributes } from './attributes.ts';
import { decodeMessage, encodeMessage } from './codec.ts';
import { Operation, StatusCode, isSuccessStatus, statusName } from './constants.ts';
import type { OperationName } from './constants.ts';
import { enumValue } from './enums.ts';
import { IppTransport, endpointFromUri } from './transport.ts';
import type { IppEndpoint, RequestOptions, TransportOptions } from './transport.ts';
import type { IppAttribute, IppGroup, IppMessage } from './types.ts';

/** Builders for request attributes with the right value tags. */
export const attr = {
  keyword: (name: string, ...values: string[]): IppAttribute => ({
    name,
    values: values.map((value) => ({ tag: 'keyword', value })),
  }),
  uri: (name: string, value: string): IppAttribute => ({ name, values: [{ tag: 'uri', value }] }),
  name: (name: string, value: string): IppAttribute => ({
    name,
    values: [{ tag: 'nameWithoutLanguage', value }],
  }),
  text: (name: string, value: string): IppAttribute => ({
    name,
    values: [{ tag: 'textWithoutLanguage', value }],
  }),
  integer: (name: string, ...values: number[]): IppAttribute => ({
    name,
    values: values.map((value) => ({ tag: 'integer', value })),
  }),
  boolean: (name: string, value: boolean): IppAttribute => ({
    name,
    values: [{ tag: 'boolean', value }],
  }),
  mimeMediaType: (name: string, value: string): IppAttribute => ({
    name,
    values: [{ tag: 'mimeMediaType', value }],
  }),
  /** An enum given by name (`printer-state`, `idle`) or number. */
  enum: (name: string, value: string | number): IppAttribute => {
    const number = typeof value === 'number' ? value : enumValue(name, value);
    if (number === undefined) throw new PrintoError('ipp-encode', `Unknown ${name} value ${value}`);
    return { name, values: [{ tag: 'enum', value: number }] };
  },
} as const;

export class IppStatusError extends PrintoError {
  readonly status: number;
  readonly statusName: string;
  readonly operation: string;

  constructor(operation: string, status: number, statusMessage: string | undefined) {
    const name = statusName(status);
    super(
      'ipp-status',
      `${operation} failed: ${name}${statusMessage === undefined || statusMessage === '' ? '' : ` (${statusMessage})`}`,
    );
    this.name = 'IppStatusError';
    this.status = status;
    this.statusName = name;
    this.operation = operation;
  }
}

export class IppResponse {
  readonly message: IppMessage;
  readonly status: number;

  constructor(message: IppMessage) {
    this.message = message;
    this.status = message.code;
  }

  get statusName(): string {
    return statusName(this.status);
  }

  get operation(): IppAttributes {
    return groupOf(this.message, 'operation');
  }

  get statusMessage(): string | undefined {
    return this.operation.string('status-message');
  }

  /** One entry per printer group (CUPS-Get-Printers returns one group per queue). */
  printers(): IppAttributes[] {
    return groupsOf(this.message, 'printer');
  }

  /** One entry per job group. */
  jobs(): IppAttributes[] {
    return groupsOf(this.message, 'job');
  }

  /** One entry per subscription group (Create-*-Subscriptions, Get-Subscriptions). */
  subscriptions(): IppAttributes[] {
    return groupsOf(this.message, 'subscription');
  }

  /** One entry per event notification group (Get-Notifications, RFC 3996 §5.2). */
  events(): IppAttributes[] {
    return groupsOf(this.message, 'eventNotification');
  }

  get unsupported(): IppAttributes {
    return groupOf(this.message, 'unsupported');
  }
}

export interface SendOptions extends RequestOptions {
  /** Groups after the operation group (job template attributes for Print-Job…). */
  readonly groups?: readonly IppGroup[];
  /** Document data sent after the attributes. */
  readonly data?: Uint8Array;
}

export interface IppClientOptions extends TransportOptions {
  /** Share one transport (and its keep-alive pool) between clients. */
  readonly transport?: IppTransport;
  /** requesting-user-name; defaults to the current OS user. */
  readonly userName?: string;
  readonly naturalLanguage?: string;
}

export type WhichJobs = 'not-completed' | 'completed' | 'all';

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'anonymous';
  }
}

export class IppClient {
  readonly endpoint: IppEndpoint;
  private readonly transport: IppTransport;
  private readonly ownsTransport: boolean;
  private readonly userName: string;
  private readonly language: string;
  private nextRequestId = 1;

  constructor(endpoint: IppEndpoint, options: IppClientOptions = {}) {
    this.endpoint = endpoint;
    this.ownsTransport = options.transport === undefined;
    this.transport = options.transport ?? new IppTransport(options);
    this.userName = options.userName ?? currentUser();
    this.language = options.naturalLanguage ?? 'en';
  }

  /** A client that talks straight to the device or server named by an ipp/ipps URI. */
  static forUri(uri: string, options: IppClientOptions = {}): IppClient {
    return new IppClient(endpointFromUri(uri), options);
  }

  close(): void {
    if (this.ownsTransport) this.transport.close();
  }

  /**
   * Sends one operation and returns the decoded response. Rejects with `IppStatusError` when the
   * status is not successful-*, and with the transport's or codec's errors otherwise.
   */
  async send(
    operation: OperationName | number,
    attributes: readonly IppAttribute[],
    options: SendOptions = {},
  ): Promise<IppResponse> {
    const code = typeof operation === 'number' ? operation : Operation[operation];
    const label = typeof operation === 'number' ? `operation 0x${code.toString(16)}` : operation;
    const response = await this.exchange(code, attributes, options, 2);
    if (response.status === StatusCode['server-error-version-not-supported']) {
      // Some older devices speak IPP/1.1 only (RFC 8011 §4.1.8).
      const retried = await this.exchange(code, attributes, options, 1);
      return this.checked(label, retried);
    }
    return this.checked(label, response);
  }

  private checked(label: string, response: IppResponse): IppResponse {
    if (!isSuccessStatus(response.status)) {
      throw new IppStatusError(label, response.status, response.statusMessage);
    }
    return response;
  }

  private async exchange(
    code: number,
    attributes: readonly IppAttribute[],
    options: SendOptions,
    major: 1 | 2,
  ): Promise<IppResponse> {
    const requestId = this.nextRequestId;
    this.nextRequestId = (this.nextRequestId % 0x7fffffff) + 1;
    const operationGroup: IppGroup = {
      tag: 'operation',
      attributes: [
        // RFC 8011 §4.1.4: these two come first, in this order.
        { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
        {
          name: 'attributes-natural-language',
          values: [{ tag: 'naturalLanguage', value: this.language }],
        },
        ...attributes,
      ],
    };
    const body = encodeMessage({
      version: { major, minor: major === 2 ? 0 : 1 },
      code,
      requestId,
      groups: [operationGroup, ...(options.groups ?? [])],
      data: options.data ?? new Uint8Array(0),
    });
    const bytes = await this.transport.post(this.endpoint, body, options);
    const message = decodeMessage(bytes);
    if (message.requestId !== requestId) {
      throw new PrintoError(
        'ipp-malformed',
        `The response carries request-id ${message.requestId}, expected ${requestId}.`,
      );
    }
    return new IppResponse(message);
  }

  private user(): IppAttribute {
    return attr.name('requesting-user-name', this.userName);
  }

  private target(printerUri: string, jobId?: number): IppAttribute[] {
    const target = [attr.uri('printer-uri', printerUri)];
    if (jobId !== undefined) target.push(attr.integer('job-id', jobId));
    return target;
  }

  private requested(names: readonly string[] | undefined): IppAttribute[] {
    return names === undefined || names.length === 0
      ? []
      : [attr.keyword('requested-attributes', ...names)];
  }

  getPrinterAttributes(
    printerUri: string,
    query: { requestedAttributes?: readonly string[]; documentFormat?: string } = {},
    options?: RequestOptions,
  ): Promise<IppResponse> {
    return this.send(
      'Get-Printer-Attributes',
      [
        ...this.target(printerUri),
        this.user(),
        ...this.requested(query.requestedAttributes),
        ...(query.documentFormat === undefined
          ? []
          : [attr.mimeMediaType('document-format', query.documentFormat)]),
      ],
      options,
    );
  }

  /**
   * Get-Jobs. `all` asks CUPS for completed and not-completed jobs in one request (CUPS accepts
   * which-jobs=all; standard printers answer not-completed/completed).
   */
  getJobs(
    printerUri: string,
    query: {
      whichJobs?: WhichJobs;
      requestedAttributes?: readonly string[];
      myJobs?: boolean;
      limit?: number;
    } = {},
    options?: RequestOptions,
  ): Promise<IppResponse> {
    return this.send(
      'Get-Jobs',
      [
        ...this.target(printerUri),
        this.user(),
        attr.keyword('which-jobs', query.whichJobs ?? 'not-completed'),
        ...(query.myJobs === undefined ? [] : [attr.boolean('my-jobs', query.myJobs)]),
        ...(query.limit === undefined ? [] : [attr.integer('limit', query.limit)]),
        ...this.requested(query.requestedAttributes),
      ],
      options,
    );
  }

  getJobAttributes(
    printerUri: string,
    jobId: number,
    query: { requestedAttributes?: readonly string[] } = {},
    options?: RequestOptions,
  ): Promise<IppResponse> {
    return this.send(
      'Get-Job-Attributes',
      [
        ...this.target(printerUri, jobId),
        this.user(),
        ...this.requested(query.requestedAttributes),
      ],
      options,
    );
  }

  cancelJob(printerUri: string, jobId: number, options?: RequestOptions): Promise<IppResponse> {
    return this.send('Cancel-Job', [...this.target(printerUri, jobId), this.user()], options);
  }

  holdJob(printerUri: string, jobId: number, options?: RequestOptions): Promise<IppResponse> {
    return this.send(
      'Hold-Job',
      [
        ...this.target(printerUri, jobId),
        this.user(),
        attr.keyword('job-hold-until', 'indefinite'),
      ],
      options,
    );
  }

  releaseJob(printerUri: string, jobId: number, options?: RequestOptions): Promise<IppResponse> {
    return this.send('Release-Job', [...this.target(printerUri, jobId), this.user()], options);
  }

  pausePrinter(printerUri: string, options?: RequestOptions): Promise<IppResponse> {
    return this.send('Pause-Printer', [...this.target(printerUri), this.user()], options);
  }

  resumePrinter(printerUri: string, options?: RequestOptions): Promise<IppResponse> {
    return this.send('Resume-Printer', [...this.target(printerUri), this.user()], options);
  }

  /** Print-Job; resolves with the new job's id and, when sent, its URI and state. */
  async printJob(
    printerUri: string,
    document: Uint8Array,
    job: { jobName?: string; documentFormat?: string; holdUntil?: string } = {},
    options?: RequestOptions,
  ): Promise<{ jobId: number; jobUri: string | undefined; jobState: string | undefined }> {
    const template: IppAttribute[] =
      job.holdUntil === undefined ? [] : [attr.keyword('job-hold-until', job.holdUntil)];
    const response = await this.send(
      'Print-Job',
      [
        ...this.target(printerUri),
        this.user(),
        ...(job.jobName === undefined ? [] : [attr.name('job-name', job.jobName)]),
        attr.mimeMediaType('document-format', job.documentFormat ?? 'application/octet-stream'),
      ],
      {
        ...options,
        idempotent: false,
        data: document,
        groups: template.length === 0 ? [] : [{ tag: 'job', attributes: template }],
      },
    );
    const jobGroup = response.jobs()[0];
    const jobId = jobGroup?.integer('job-id');
    if (jobGroup === undefined || jobId === undefined) {
      throw new PrintoError('ipp-malformed', 'Print-Job succeeded but returned no job-id.');
    }
    return { jobId, jobUri: jobGroup.string('job-uri'), jobState: jobGroup.enumName('job-state') };
  }

  /**
   * Create-Printer-Subscriptions (RFC 3995 §11.1.2) with the ippget pull method (RFC 3996): the
   * events of `printerUri`, or of every queue when it is the server itself (CUPS). Resolves with
   * the subscription's id and the lease CUPS granted (0: no expiry).
   */
  async createPrinterSubscription(
    printerUri: string,
    subscription: { events: readonly string[]; leaseSeconds?: number },
    options?: RequestOptions,
  ): Promise<{ subscriptionId: number; leaseSeconds: number | undefined }> {
    const response = await this.send(
      'Create-Printer-Subscriptions',
      [...this.target(printerUri), this.user()],
      {
        ...options,
        idempotent: false,
        groups: [
          {
            tag: 'subscription',
            attributes: [
              attr.keyword('notify-pull-method', 'ippget'),
              attr.keyword('notify-events', ...subscription.events),
              ...(subscription.leaseSeconds === undefined
                ? []
                : [attr.integer('notify-lease-duration', subscription.leaseSeconds)]),
            ],
          },
        ],
      },
    );
    const group = response.subscriptions()[0];
    const subscriptionId = group?.integer('notify-subscription-id');
    if (group === undefined || subscriptionId === undefined) {
      const status = group?.integer('notify-status-code');
      throw new IppStatusError(
        'Create-Printer-Subscriptions',
        status ?? StatusCode['client-error-ignored-all-subscriptions'],
        response.statusMessage,
      );
    }
    return { subscriptionId, leaseSeconds: group.integer('notify-lease-duration') };
  }

  /**
   * Get-Notifications (RFC 3996 §5): the events of each subscription from the given sequence
   * number on (the number after the last one seen), and how long to wait before asking again.
   */
  async getNotifications(
    printerUri: string,
    wanted: readonly { subscriptionId: number; fromSequence: number }[],
    options?: RequestOptions,
  ): Promise<{
    events: IppAttributes[];
    intervalSeconds: number | undefined;
    response: IppResponse;
  }> {
    const response = await this.send(
      'Get-Notifications',
      [
        ...this.target(printerUri),
        this.user(),
        attr.integer('notify-subscription-ids', ...wanted.map((w) => w.subscriptionId)),
        attr.integer('notify-sequence-numbers', ...wanted.map((w) => w.fromSequence)),
      ],
      options,
    );
    return {
      events: response.events(),
      intervalSeconds: response.operation.integer('notify-get-interval'),
      response,
    };
  }

  /** Renew-Subscription (RFC 3995 §11.2.6): a new lease for the subscription. */
  renewSubscription(
    printerUri: string,
    subscriptionId: number,
    leaseSeconds: number,
    options?: RequestOptions,
  ): Promise<IppResponse> {
    return this.send(
      'Renew-Subscription',
      [
        ...this.target(printerUri),
        attr.integer('notify-subscription-id', subscriptionId),
        this.user(),
      ],
      {
        ...options,
        groups: [
          {
            tag: 'subscription',
            attributes: [attr.integer('notify-lease-duration', leaseSeconds)],
          },
        ],
      },
    );
  }

  /** Cancel-Subscription (RFC 3995 §11.2.7). */
  cancelSubscription(
    printerUri: string,
    subscriptionId: number,
    options?: RequestOptions,
  ): Promise<IppResponse> {
    return this.send(
      'Cancel-Subscription',
      [
        ...this.target(printerUri),
        attr.integer('notify-subscription-id', subscriptionId),
        this.user(),
      ],
      options,
    );
  }

  /** Get-Subscriptions (RFC 3995 §11.2.5): this user's subscriptions on `printerUri`. */
  getSubscriptions(printerUri: string, options?: RequestOptions): Promise<IppResponse> {
    return this.send(
      'Get-Subscriptions',
      [...this.target(printerUri), this.user(), attr.boolean('my-subscriptions', true)],
      options,
    );
  }

  /** CUPS-Get-Printers (0x4002): every queue of the scheduler in one response. */
  cupsGetPrinters(
    query: { requestedAttributes?: readonly string[]; limit?: number } = {},
    options?: RequestOptions,
  ): Promise<IppResponse> {
    return this.send(
      'CUPS-Get-Printers',
      [
        this.user(),
        ...(query.limit === undefined ? [] : [attr.integer('limit', query.limit)]),
        ...this.requested(query.requestedAttributes),
      ],
      options,
    );
  }

  /** CUPS-Get-Default (0x4001): the default destination; `client-error-not-found` when none. */
  cupsGetDefault(
    query: { requestedAttributes?: readonly string[] } = {},
    options?: RequestOptions,
  ): Promise<IppResponse> {
    return this.send(
      'CUPS-Get-Default',
      [this.user(), ...this.requested(query.requestedAttributes)],
      options,
    );
  }
}
