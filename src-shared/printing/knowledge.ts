import { z } from 'zod';
import { FixSchema } from '../model/diagnostics.ts';
import { SeveritySchema } from '../model/printer.ts';
import type { PrinterState, Severity } from '../model/printer.ts';

/*
 * What printer-state-reasons and job-state-reasons mean and what a person can do about them
 * (reference/printing.md §2; RFC 8011 §5.3.8 and §5.4.12, PWG 5100.9, CUPS' own cups-* keywords).
 * Labels, severities and the diagnostics checks all read this one table.
 *
 * Wording: `meaning` and `steps` are for an office worker unless the fix is `forIt`. In a
 * `command`, `<printer>` stands for the queue name.
 */

/** A diagnostics fix without the app action (that needs a queue or a job), plus who it is for. */
export const ReasonFixSchema = FixSchema.omit({ action: true }).extend({
  /** Only IT or an administrator can do it; `steps` and `command` may use technical terms. */
  forIt: z.boolean().optional(),
});
export type ReasonFix = z.infer<typeof ReasonFixSchema>;

export const PrinterReasonExplanationSchema = z.object({
  /** Base keyword: the suffix removed (`media-jam`), or the keyword as reported when unknown. */
  keyword: z.string(),
  /** As the print system reported it (`media-jam-warning`). */
  raw: z.string(),
  severity: SeveritySchema,
  /** False for vendor and unknown keywords, which are explained as "other". */
  known: z.boolean(),
  /** A vendor extension (`com.vendor.*`, `smiNNN-*`). */
  vendor: z.boolean(),
  /** A few words for a table cell: `Paper jam`. */
  title: z.string().min(1),
  /** One plain sentence. */
  meaning: z.string().min(1),
  /** Null when nothing needs doing (`none`, `cups-waiting-for-job-completed`). */
  fix: ReasonFixSchema.nullable(),
});
export type PrinterReasonExplanation = z.infer<typeof PrinterReasonExplanationSchema>;

/** One row of the printer-reason table; `severity` is the keyword's default. */
export const PrinterReasonEntrySchema = PrinterReasonExplanationSchema.pick({
  keyword: true,
  title: true,
  meaning: true,
  severity: true,
  fix: true,
});
export type PrinterReasonEntry = z.infer<typeof PrinterReasonEntrySchema>;

export const JobReasonExplanationSchema = z.object({
  keyword: z.string(),
  known: z.boolean(),
  title: z.string().min(1),
  meaning: z.string().min(1),
  /** Null for reasons that only say how the job is getting on (`job-printing`). */
  fix: ReasonFixSchema.nullable(),
});
export type JobReasonExplanation = z.infer<typeof JobReasonExplanationSchema>;

export const JobReasonEntrySchema = JobReasonExplanationSchema.omit({ known: true });
export type JobReasonEntry = z.infer<typeof JobReasonEntrySchema>;

// ---------------------------------------------------------------------------------------------
// Shared fixes

const checkPanel: ReasonFix = {
  title: 'Check the printer',
  steps: [
    "Look at the printer's display or control panel for a message and follow it.",
    'If the message stays, switch the printer off, wait ten seconds and switch it on again.',
    'If that does not help, contact IT and tell them what the display says.',
  ],
};

const closeDoors: ReasonFix = {
  title: 'Close the door',
  steps: [
    'Close every door and cover on the printer firmly, until they click.',
    'If the printer still says something is open, its display shows which door or cover it means.',
  ],
};

const reconnect: ReasonFix = {
  title: 'Reconnect the printer',
  steps: [
    'Check that the printer is switched on and its display shows no error.',
    'Check its cable, or that it is connected to the network (network cable or Wi-Fi).',
    'Switch the printer off and on again and wait until it is ready.',
    'If it still cannot be reached, its network address may have changed: contact IT.',
  ],
};

const resume: ReasonFix = {
  title: 'Resume the printer',
  steps: [
    'Resume the printer in Printo Help, or in the printer settings of this computer.',
    'If it pauses again by itself, fix the other problems shown for this printer first.',
    'If IT paused it on purpose, ask them before resuming it.',
  ],
};

const orderSupply = (what: string): ReasonFix => ({
  title: `Order ${what}`,
  steps: [
    `Order ${what}, or tell whoever looks after printer supplies.`,
    'You can keep printing until the printer asks for it.',
  ],
});

const replaceSupply = (what: string): ReasonFix => ({
  title: `Replace the ${what}`,
  steps: [
    `Open the printer and replace the ${what}, as its display or manual shows.`,
    'Close all doors and covers.',
    `If there is no spare ${what}, tell whoever looks after printer supplies.`,
  ],
});

const reseatCartridge: ReasonFix = {
  title: 'Put the cartridge back in',
  steps: [
    "Open the printer's cover.",
    'Take out the cartridge the display points to and push it back in until it clicks.',
    'On a new cartridge, remove any tape or protective clip first.',
    'Close the cover.',
  ],
};

const serviceSoon = (part: string): ReasonFix => ({
  title: 'Arrange a replacement',
  steps: [
    `Tell whoever looks after the printer that the ${part} needs replacing soon (often a job for the service company).`,
    'You can keep printing until then.',
  ],
});

const serviceNow = (part: string): ReasonFix => ({
  title: 'Call for service',
  steps: [
    `Tell whoever looks after the printer that the ${part} must be replaced (often a job for the service company).`,
    'Use another printer until then.',
  ],
});

const emptyOutput: ReasonFix = {
  title: 'Empty the output tray',
  steps: ['Take the printed pages out of the tray where pages come out.'],
};

const driverless =
  'sudo lpadmin -p <printer> -E -v ipp://<printer-address>/ipp/print -m everywhere';
// CUPS trusts a printer's certificate on first use and keeps it in /etc/cups/ssl; removing the
// stored copy lets it take the printer's current one (cups.org/doc/encryption.html).
const forgetCertificate = 'sudo rm /etc/cups/ssl/<printer-hostname>.crt && cupsenable <printer>';

const retrustCertificate: ReasonFix = {
  title: "Trust the printer's new certificate",
  forIt: true,
  steps: [
    'Confirm the change is expected, for example after a firmware update or a printer reset.',
    'Remove the stored certificate so CUPS accepts the current one, or delete and re-add the queue.',
    'Resume the queue.',
  ],
  command: forgetCertificate,
};

// ---------------------------------------------------------------------------------------------
// Printer state reasons

const wasteAlmostFull = (keyword: string): PrinterReasonEntry => ({
  keyword,
  title: 'Waste container almost full',
  meaning: 'The container that collects used toner or ink is almost full.',
  severity: 'warning',
  fix: orderSupply('a new waste container'),
});

const wasteFull = (keyword: string): PrinterReasonEntry => ({
  keyword,
  title: 'Waste container full',
  meaning: 'The container that collects used toner or ink is full, so the printer stops printing.',
  severity: 'error',
  fix: replaceSupply('waste container'),
});

const doorOpen = (keyword: string, title: string): PrinterReasonEntry => ({
  keyword,
  title,
  meaning: 'A door or cover on the printer is open or not fully closed.',
  severity: 'error',
  fix: closeDoors,
});

/**
 * The printer-reason table. A keyword ending in `*` matches every keyword with that prefix.
 * A keyword the table knows whole wins over suffix stripping (`cups-certificate-error`).
 */
export const PRINTER_REASONS: readonly PrinterReasonEntry[] = [
  {
    keyword: 'none',
    title: 'Ready',
    meaning: 'The printer reports no problems.',
    severity: 'report',
    fix: null,
  },
  {
    keyword: 'other',
    title: 'Needs attention',
    meaning: 'The printer reports a problem but does not say what it is.',
    severity: 'warning',
    fix: checkPanel,
  },

  // Paper
  {
    keyword: 'media-empty',
    title: 'Out of paper',
    meaning: 'A paper tray is empty.',
    severity: 'error',
    fix: {
      title: 'Load paper',
      steps: [
        'Fill the paper tray the printer points to.',
        'Push the tray back in firmly.',
        'If the printer asks, press OK or Continue on its panel.',
      ],
    },
  },
  {
    keyword: 'media-low',
    title: 'Paper low',
    meaning: 'A paper tray is running low.',
    severity: 'warning',
    fix: { title: 'Add paper', steps: ['Add paper to the tray before it runs out.'] },
  },
  {
    keyword: 'media-needed',
    title: 'Needs paper loaded',
    meaning: 'A job needs paper that is not loaded, such as another size or type.',
    severity: 'error',
    fix: {
      title: 'Load the paper the job needs',
      steps: [
        "Check the printer's display to see which paper it wants.",
        'Load that paper in a tray, or in the manual feed slot if it asks for that.',
        'Or cancel the job and print it again with the paper size that is loaded.',
      ],
    },
  },
  {
    keyword: 'media-jam',
    title: 'Paper jam',
    meaning: 'Paper is stuck inside the printer.',
    severity: 'error',
    fix: {
      title: 'Clear the paper jam',
      steps: [
        "Follow the printer's display: it usually shows where the paper is stuck.",
        'Open the doors it points to and gently pull out the paper, including any torn scraps.',
        'Close all doors and covers.',
        'If the message stays, switch the printer off and on again.',
      ],
    },
  },
  {
    keyword: 'input-manual-input-request',
    title: 'Waiting for manual feed',
    meaning: 'The printer is waiting for paper to be put into its manual feed slot.',
    severity: 'warning',
    fix: {
      title: 'Feed the paper by hand',
      steps: [
        'Put the paper into the manual feed (bypass) tray.',
        'Press OK or Continue on the printer if it asks.',
      ],
    },
  },
  {
    keyword: 'input-cannot-feed-size-selected',
    title: 'Tray cannot feed size',
    meaning: 'The chosen tray cannot take the paper size the job asks for.',
    severity: 'warning',
    fix: {
      title: 'Choose another tray or size',
      steps: [
        'Cancel the job.',
        'Print it again with another tray, or with a paper size that tray takes.',
      ],
    },
  },
  {
    keyword: 'input-tray-missing',
    title: 'Paper tray missing',
    meaning: 'A paper tray has been taken out or is not pushed in fully.',
    severity: 'error',
    fix: { title: 'Put the tray back', steps: ['Push the paper tray back in until it clicks.'] },
  },
  {
    keyword: 'output-tray-missing',
    title: 'Output tray missing',
    meaning: 'The tray that catches printed pages is missing or not attached.',
    severity: 'warning',
    fix: { title: 'Put the tray back', steps: ['Attach the output tray again.'] },
  },
  {
    keyword: 'output-area-almost-full',
    title: 'Output tray almost full',
    meaning: 'The tray where printed pages come out is almost full.',
    severity: 'warning',
    fix: emptyOutput,
  },
  {
    keyword: 'output-area-full',
    title: 'Output tray full',
    meaning: 'The tray where printed pages come out is full, so the printer stops printing.',
    severity: 'error',
    fix: emptyOutput,
  },

  // Toner, ink and other supplies
  {
    keyword: 'toner-low',
    title: 'Toner low',
    meaning: 'The toner is running low, but printing still works for now.',
    severity: 'warning',
    fix: orderSupply('a new toner cartridge'),
  },
  {
    keyword: 'toner-empty',
    title: 'Out of toner',
    meaning: 'The toner has run out.',
    severity: 'error',
    fix: replaceSupply('toner cartridge'),
  },
  {
    keyword: 'marker-supply-low',
    title: 'Ink or toner low',
    meaning: 'The ink or toner is running low, but printing still works for now.',
    severity: 'warning',
    fix: orderSupply('a new ink or toner cartridge'),
  },
  {
    keyword: 'marker-supply-empty',
    title: 'Ink or toner empty',
    meaning: 'The ink or toner has run out.',
    severity: 'error',
    fix: replaceSupply('ink or toner cartridge'),
  },
  {
    keyword: 'marker-ink-almost-empty',
    title: 'Ink low',
    meaning: 'The ink is running low, but printing still works for now.',
    severity: 'warning',
    fix: orderSupply('a new ink cartridge'),
  },
  {
    keyword: 'marker-ink-empty',
    title: 'Out of ink',
    meaning: 'The ink has run out.',
    severity: 'error',
    fix: replaceSupply('ink cartridge'),
  },
  {
    keyword: 'marker-supply-missing',
    title: 'Cartridge missing',
    meaning: 'An ink or toner cartridge is missing or not seated properly.',
    severity: 'error',
    fix: reseatCartridge,
  },
  {
    keyword: 'marker-toner-cartridge-missing',
    title: 'Toner cartridge missing',
    meaning: 'A toner cartridge is missing or not seated properly.',
    severity: 'error',
    fix: reseatCartridge,
  },
  wasteAlmostFull('marker-waste-almost-full'),
  wasteFull('marker-waste-full'),
  wasteAlmostFull('marker-waste-toner-receptacle-almost-full'),
  wasteFull('marker-waste-toner-receptacle-full'),
  wasteAlmostFull('marker-waste-ink-receptacle-almost-full'),
  wasteFull('marker-waste-ink-receptacle-full'),
  // CUPS' SNMP supply monitor spells these without `marker-` (backend/snmp-supplies.c).
  wasteAlmostFull('waste-receptacle-almost-full'),
  wasteFull('waste-receptacle-full'),

  // Parts that wear out
  {
    keyword: 'developer-low',
    title: 'Developer low',
    meaning: 'The developer, a part that puts toner on the page, is nearly used up.',
    severity: 'warning',
    fix: serviceSoon('developer unit'),
  },
  {
    keyword: 'developer-empty',
    title: 'Developer empty',
    meaning: 'The developer, a part that puts toner on the page, is used up.',
    severity: 'error',
    fix: serviceNow('developer unit'),
  },
  {
    keyword: 'opc-near-eol',
    title: 'Drum wearing out',
    meaning: 'The drum, the part that transfers toner to the paper, is near the end of its life.',
    severity: 'warning',
    fix: serviceSoon('drum'),
  },
  {
    keyword: 'opc-life-over',
    title: 'Drum worn out',
    meaning: 'The drum, the part that transfers toner to the paper, is worn out.',
    severity: 'error',
    fix: serviceNow('drum'),
  },
  {
    keyword: 'cleaner-life-almost-over',
    title: 'Cleaner wearing out',
    meaning: 'The cleaning unit inside the printer is near the end of its life.',
    severity: 'warning',
    fix: serviceSoon('cleaning unit'),
  },
  {
    keyword: 'cleaner-life-over',
    title: 'Cleaner worn out',
    meaning: 'The cleaning unit inside the printer is worn out, so print quality may suffer.',
    severity: 'warning',
    fix: serviceSoon('cleaning unit'),
  },
  {
    keyword: 'fuser-over-temp',
    title: 'Fuser too hot',
    meaning: 'The fuser, the part that heats toner onto the paper, is too hot.',
    severity: 'warning',
    fix: {
      title: 'Let it cool down',
      steps: [
        'Wait a few minutes: the printer cools down by itself.',
        "Make sure the printer's air vents are not blocked.",
        'If the message keeps coming back, switch the printer off and call for service.',
      ],
    },
  },
  {
    keyword: 'fuser-under-temp',
    title: 'Warming up',
    meaning: 'The printer is still warming up.',
    severity: 'warning',
    fix: {
      title: 'Wait for it to warm up',
      steps: [
        'Wait a few minutes for the printer to warm up.',
        'If it never finishes, switch it off and on again, then call for service if it persists.',
      ],
    },
  },

  // Doors and covers
  doorOpen('door-open', 'Door open'),
  doorOpen('cover-open', 'Cover open'),
  doorOpen('interlock-open', 'Door open'),

  // The printer itself
  {
    keyword: 'spool-area-full',
    title: 'Printer memory full',
    meaning: 'The printer has no memory or storage left for more jobs.',
    severity: 'error',
    fix: {
      title: 'Free up the printer',
      steps: [
        'Wait for the jobs already sent to finish printing.',
        'Cancel very large jobs and print them in smaller parts.',
        'If it stays full, switch the printer off, wait ten seconds and switch it on again.',
      ],
    },
  },
  {
    keyword: 'interpreter-resource-unavailable',
    title: 'Missing font or form',
    meaning: 'The printer lacks something the document needs, such as a font or a form.',
    severity: 'warning',
    fix: {
      title: 'Print it as a PDF',
      steps: [
        'Save the document as a PDF and print the PDF.',
        'If that does not help, ask IT to set the printer up with another driver.',
      ],
    },
  },
  {
    keyword: 'stopped-partly',
    title: 'Partly unavailable',
    meaning: 'Part of the printer, such as the stapler or an extra tray, is not working.',
    severity: 'warning',
    fix: {
      title: 'Check the printer',
      steps: [
        "Look at the printer's display to see which part is unavailable.",
        'Print without that part (for example without stapling), or have it repaired.',
      ],
    },
  },
  {
    keyword: 'identify-printer-requested',
    title: 'Identifying itself',
    meaning: 'Someone asked the printer to show itself, for example by beeping or flashing.',
    severity: 'report',
    fix: null,
  },

  // Reaching the printer
  {
    keyword: 'offline',
    title: 'Offline',
    meaning: 'The printer is switched off or not connected.',
    severity: 'error',
    fix: reconnect,
  },
  {
    keyword: 'shutdown',
    title: 'Switched off',
    meaning: 'The printer is switched off or shutting down.',
    severity: 'error',
    fix: {
      title: 'Switch the printer on',
      steps: ['Switch the printer on and wait until it is ready.'],
    },
  },
  {
    keyword: 'connecting-to-device',
    title: 'Cannot reach the printer',
    meaning: 'This computer is trying to connect to the printer but cannot reach it.',
    severity: 'warning',
    fix: reconnect,
  },
  {
    keyword: 'timed-out',
    title: 'Printer not answering',
    meaning: 'The printer stopped answering this computer.',
    severity: 'warning',
    fix: reconnect,
  },

  // The queue
  {
    keyword: 'paused',
    title: 'Paused',
    meaning: 'The printer is paused on this computer, so jobs wait instead of printing.',
    severity: 'warning',
    fix: resume,
  },
  {
    keyword: 'moving-to-paused',
    title: 'Pausing',
    meaning: 'The printer is finishing its current work and will then pause.',
    severity: 'warning',
    fix: resume,
  },
  {
    keyword: 'stopping',
    title: 'Stopping',
    meaning: 'The printer is stopping and will not print new jobs until it is started again.',
    severity: 'warning',
    fix: resume,
  },
  {
    keyword: 'hold-new-jobs',
    title: 'Holding new jobs',
    meaning: 'An administrator has set the printer to hold new jobs instead of printing them.',
    severity: 'warning',
    fix: {
      title: 'Release the held jobs',
      forIt: true,
      steps: ['Release held jobs on the queue once maintenance is over (Release-Held-New-Jobs).'],
      command: 'cupsenable --release <printer>',
    },
  },
  {
    keyword: 'deactivated',
    title: 'Deactivated',
    meaning: 'An administrator has taken the printer out of service, so it does not print.',
    severity: 'error',
    fix: {
      title: 'Reactivate the printer',
      forIt: true,
      steps: [
        'Reactivate the printer (Activate-Printer) from its administration page, or replace the queue.',
        'Tell users which printer to use meanwhile.',
      ],
    },
  },

  // CUPS on this computer
  {
    keyword: 'cups-missing-filter',
    title: 'Driver incomplete',
    meaning:
      "Part of the printer's driver is missing on this computer, so jobs cannot be prepared.",
    severity: 'error',
    fix: {
      title: 'Reinstall the driver',
      forIt: true,
      steps: [
        'Reinstall the driver package for this printer model.',
        'Or set the queue up driverless (IPP Everywhere) if the printer supports it.',
      ],
      command: driverless,
    },
  },
  {
    keyword: 'cups-insecure-filter',
    title: 'Driver files unsafe',
    meaning: "The printer's driver files on this computer are not protected, so they are not used.",
    severity: 'error',
    fix: {
      title: 'Reinstall the driver',
      forIt: true,
      steps: [
        'Find the filter CUPS rejected: it must be owned by root and not writable by group or others.',
        'Reinstall the driver package from a trusted source rather than fixing modes by hand.',
      ],
      command: 'ls -l /usr/lib/cups/filter',
    },
  },
  {
    keyword: 'cups-waiting-for-job-completed',
    title: 'Finishing a job',
    meaning: 'A job has been sent and this computer is waiting for the printer to finish it.',
    severity: 'report',
    fix: null,
  },
  {
    keyword: 'cups-certificate-error',
    title: 'Printer certificate changed',
    meaning:
      "The printer's security certificate has changed, so this computer will not send it jobs.",
    severity: 'error',
    fix: retrustCertificate,
  },
  {
    keyword: 'cups-pki-changed',
    title: 'Printer certificate changed',
    meaning:
      "The printer's security certificate has changed, so this computer will not send it jobs.",
    severity: 'error',
    fix: retrustCertificate,
  },
  {
    keyword: 'cups-pki-invalid',
    title: 'Printer certificate invalid',
    meaning:
      "The printer's security certificate is not valid, so this computer will not send it jobs.",
    severity: 'error',
    fix: {
      ...retrustCertificate,
      steps: [
        'Check that the queue points at the right printer and host name.',
        ...retrustCertificate.steps,
      ],
    },
  },
  {
    keyword: 'cups-pki-expired',
    title: 'Printer certificate expired',
    meaning:
      "The printer's security certificate has expired, so this computer will not send it jobs.",
    severity: 'error',
    fix: {
      title: "Renew the printer's certificate",
      forIt: true,
      steps: [
        "Renew or regenerate the certificate in the printer's web administration page.",
        'Remove the stored copy of the old certificate and resume the queue.',
      ],
      command: forgetCertificate,
    },
  },
  {
    keyword: 'cups-pki-unknown',
    title: 'Printer certificate unknown',
    meaning: "This computer cannot check the printer's security certificate.",
    severity: 'warning',
    fix: retrustCertificate,
  },
  {
    // cups-ipp-conformance-failure-report, cups-ipp-missing-<operation or attribute>,
    // cups-ipp-wrong-http-version: the backend's notes on what the firmware gets wrong.
    keyword: 'cups-ipp-*',
    title: 'Printer firmware incomplete',
    meaning:
      "The printer's firmware does not fully follow the printing standard, though it usually still prints.",
    severity: 'report',
    fix: {
      title: 'Update the printer firmware',
      forIt: true,
      steps: [
        'Nothing to do while printing works: CUPS works around the missing IPP support.',
        "If jobs fail, update the printer's firmware from the manufacturer's site.",
      ],
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Job state reasons

const releaseJob: ReasonFix = {
  title: 'Release the job',
  steps: [
    'Release the job in Printo Help, or in the print queue on this computer.',
    'If it was held to print at a set time, it prints by itself then.',
  ],
};

const fixPrinterFirst: ReasonFix = {
  title: 'Fix the printer first',
  steps: [
    'Fix the problems Printo Help shows for this printer.',
    'The job prints by itself once the printer works again.',
  ],
};

const printAsPdf: ReasonFix = {
  title: 'Print it as a PDF',
  steps: [
    'Save or export the document as a PDF and print the PDF.',
    'If that fails too, ask IT to check the printer driver.',
  ],
};

const unprotect: ReasonFix = {
  title: 'Print an unprotected copy',
  steps: [
    'Open the document, enter its password if it has one, and print from there.',
    'If printing is still refused, ask whoever sent it for a copy that allows printing.',
  ],
};

const printAgain: ReasonFix = {
  title: 'Print it again',
  steps: ['Print the document again if you still need it.'],
};

const resend: ReasonFix = {
  title: 'Send it again',
  steps: [
    'Print the document again.',
    'If it keeps happening, check the network connection or contact IT.',
  ],
};

const checkPrintout: ReasonFix = {
  title: 'Check the printout',
  steps: ['Check that every page came out correctly.', 'Print any missing or spoilt pages again.'],
};

const inProgress = (keyword: string, title: string, meaning: string): JobReasonEntry => ({
  keyword,
  title,
  meaning,
  fix: null,
});

/** The job-reason table. Job reasons carry no severity suffix: `document-format-error` is whole. */
export const JOB_REASONS: readonly JobReasonEntry[] = [
  inProgress('none', 'No details', 'There is nothing more to say about this job.'),
  {
    keyword: 'job-hold-until-specified',
    title: 'Held',
    meaning: 'The job is on hold and will not print until someone releases it.',
    fix: releaseJob,
  },
  {
    keyword: 'job-suspended',
    title: 'Suspended',
    meaning: 'The job was paused part-way through.',
    fix: releaseJob,
  },
  {
    keyword: 'cups-held-for-authentication',
    title: 'Waiting for sign-in',
    meaning: 'The job is waiting for you to sign in before it can print.',
    fix: {
      title: 'Sign in to print',
      steps: [
        'Look for a sign-in window from the print system and enter your user name and password.',
        'If there is none, cancel the job and print again: you will be asked to sign in.',
        'If your password is refused, contact IT.',
      ],
    },
  },
  {
    keyword: 'account-info-needed',
    title: 'Account details needed',
    meaning: 'The printer needs your account, department or PIN code before it prints the job.',
    fix: {
      title: 'Enter your account details',
      steps: [
        'Print again and enter your account, department or PIN code in the print settings.',
        'If you do not know it, ask IT.',
      ],
    },
  },
  {
    keyword: 'account-authorization-failed',
    title: 'Account not accepted',
    meaning: 'The printer did not accept your account, department or PIN code.',
    fix: {
      title: 'Check your account details',
      steps: [
        'Check the account, department or PIN code in the print settings and print again.',
        'If it is still refused, ask IT to check your print account.',
      ],
    },
  },
  {
    keyword: 'account-limit-reached',
    title: 'Print limit reached',
    meaning: 'You have used up your printing allowance.',
    fix: {
      title: 'Ask for more print credit',
      steps: ['Ask IT or your manager to raise your printing allowance.'],
    },
  },
  {
    keyword: 'job-held-for-review',
    title: 'Held for approval',
    meaning: 'The job is waiting for someone to approve it before it prints.',
    fix: {
      title: 'Wait for approval',
      steps: ['Wait for the job to be approved, or ask IT who approves print jobs.'],
    },
  },
  {
    keyword: 'job-password-wait',
    title: 'Waiting at the printer',
    meaning: 'The job waits at the printer until you release it there with your PIN or badge.',
    fix: {
      title: 'Release it at the printer',
      steps: ['Go to the printer and release the job on its panel with your PIN code or badge.'],
    },
  },
  {
    keyword: 'printer-stopped',
    title: 'Printer stopped',
    meaning: 'The job cannot print because the printer has stopped.',
    fix: fixPrinterFirst,
  },
  {
    keyword: 'printer-stopped-partly',
    title: 'Printer partly stopped',
    meaning: 'Part of the printer this job needs, such as the stapler, is not available.',
    fix: fixPrinterFirst,
  },
  {
    keyword: 'resources-are-not-ready',
    title: 'Printer not ready',
    meaning: 'The printer is missing something this job needs, such as the right paper.',
    fix: fixPrinterFirst,
  },
  {
    keyword: 'service-off-line',
    title: 'Print service offline',
    meaning: 'The print service is offline, so the job cannot be sent on.',
    fix: fixPrinterFirst,
  },
  {
    keyword: 'document-format-error',
    title: 'Document not readable',
    meaning: 'The document could not be turned into something the printer understands.',
    fix: printAsPdf,
  },
  {
    keyword: 'unsupported-document-format',
    title: 'File type not supported',
    meaning: 'The printer cannot print this type of file.',
    fix: printAsPdf,
  },
  {
    keyword: 'document-unprintable-error',
    title: 'Document not printable',
    meaning: 'The document could not be prepared for printing.',
    fix: printAsPdf,
  },
  {
    keyword: 'document-access-error',
    title: 'Document not found',
    meaning: 'The print system could not fetch the document from where it was stored.',
    fix: resend,
  },
  {
    keyword: 'document-password-error',
    title: 'Password-protected document',
    meaning: 'The document is protected with a password, so it cannot be printed as it is.',
    fix: unprotect,
  },
  {
    keyword: 'document-permission-error',
    title: 'Printing not allowed',
    meaning: "The document's settings do not allow printing.",
    fix: unprotect,
  },
  {
    keyword: 'document-security-error',
    title: 'Document security problem',
    meaning: "The document's security settings stop it from being printed.",
    fix: unprotect,
  },
  {
    keyword: 'aborted-by-system',
    title: 'Stopped by the system',
    meaning:
      'The print system could not finish the job, usually because the driver or the connection failed.',
    fix: {
      title: 'Print it again',
      steps: [
        'Print the document again.',
        'If it fails again, ask IT to check the printer driver and the connection to the printer.',
      ],
    },
  },
  {
    keyword: 'job-canceled-by-user',
    title: 'Cancelled by its owner',
    meaning: 'The person who sent the job cancelled it.',
    fix: printAgain,
  },
  {
    keyword: 'job-canceled-by-operator',
    title: 'Cancelled by an administrator',
    meaning: 'Someone who manages the printer cancelled the job.',
    fix: {
      title: 'Print it again',
      steps: [
        'Print the document again if you still need it.',
        'If your jobs keep being cancelled, ask IT why.',
      ],
    },
  },
  {
    keyword: 'job-canceled-at-device',
    title: 'Cancelled at the printer',
    meaning: "Someone cancelled the job on the printer's own panel.",
    fix: printAgain,
  },
  {
    keyword: 'submission-interrupted',
    title: 'Sending interrupted',
    meaning: 'The job was not completely sent to the print queue.',
    fix: resend,
  },
  {
    keyword: 'job-data-insufficient',
    title: 'Job incomplete',
    meaning: 'The printer did not receive enough of the job to print it.',
    fix: resend,
  },
  {
    keyword: 'queued-in-device',
    title: 'Sent to the printer',
    meaning: "The job has been handed to the printer and waits in the printer's own queue.",
    fix: {
      title: 'Check the printer if nothing comes out',
      steps: ["If the job does not come out, check the printer's display and its own job list."],
    },
  },
  {
    keyword: 'job-fetchable',
    title: 'Waiting to be fetched',
    meaning: 'The job waits in a print service until the printer collects it.',
    fix: {
      title: 'Check the printer if nothing comes out',
      steps: [
        'Make sure the printer is switched on and connected: it collects the job by itself.',
        'If your jobs must be released at the printer, release it there.',
      ],
    },
  },
  inProgress('job-incoming', 'Being received', 'The job is still being sent to the print queue.'),
  inProgress('job-queued', 'Waiting its turn', 'The job is waiting for its turn to print.'),
  inProgress('job-transforming', 'Preparing', 'The job is being prepared for the printer.'),
  inProgress('job-interpreting', 'Preparing', 'The job is being prepared for the printer.'),
  inProgress('job-outgoing', 'Sending to printer', 'The job is being sent to the printer.'),
  inProgress(
    'job-queued-for-marker',
    'Waiting to print',
    'The job is ready and waiting for the printer.',
  ),
  inProgress('job-printing', 'Printing', 'The job is printing now.'),
  inProgress('processing-to-stop-point', 'Stopping', 'The job is being cancelled or stopped.'),
  inProgress('job-completed-successfully', 'Printed', 'The job finished printing.'),
  {
    keyword: 'job-completed-with-warnings',
    title: 'Printed with warnings',
    meaning: 'The job finished, but the printer reported a problem while printing it.',
    fix: checkPrintout,
  },
  {
    keyword: 'job-completed-with-errors',
    title: 'Printed with errors',
    meaning: 'The job finished, but some of it may not have printed correctly.',
    fix: checkPrintout,
  },
];

// ---------------------------------------------------------------------------------------------
// Look-ups

/** Explanations hand out the table's own fix objects: freeze them so no caller can edit the table. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
deepFreeze(PRINTER_REASONS);
deepFreeze(JOB_REASONS);

const exactPrinterReasons = new Map<string, PrinterReasonEntry>();
const prefixPrinterReasons: (readonly [string, PrinterReasonEntry])[] = [];
for (const entry of PRINTER_REASONS) {
  if (entry.keyword.endsWith('*')) prefixPrinterReasons.push([entry.keyword.slice(0, -1), entry]);
  else exactPrinterReasons.set(entry.keyword, entry);
}

const jobReasons = new Map(JOB_REASONS.map((entry) => [entry.keyword, entry]));

function findPrinterReason(keyword: string): PrinterReasonEntry | undefined {
  return (
    exactPrinterReasons.get(keyword) ??
    prefixPrinterReasons.find(([prefix]) => keyword.startsWith(prefix))?.[1]
  );
}

/**
 * Vendor extensions: reverse-domain keywords (`com.vendor.name`, `com.acme-stapler-empty`: a dot
 * before the first dash) and PWG's `smiNNN-` enterprise-number prefix.
 */
export function isVendorKeyword(keyword: string): boolean {
  return /^[^-]*\./.test(keyword) || /^smi\d+-/.test(keyword);
}

/** `com.acme-stapler-empty` → `stapler empty`; `com.apple.print.recoverable` → ``. */
function readableKeyword(keyword: string): string {
  const withoutVendor = isVendorKeyword(keyword)
    ? keyword.includes('-')
      ? keyword.slice(keyword.indexOf('-') + 1)
      : ''
    : keyword;
  return withoutVendor.replaceAll('-', ' ').trim();
}

const SEVERITY_RANK: Record<Severity, number> = { report: 0, warning: 1, error: 2 };

const SUFFIXES: readonly (readonly [string, Severity])[] = [
  ['-report', 'report'],
  ['-warning', 'warning'],
  ['-error', 'error'],
];

/** `media-jam-warning` → `['media-jam', 'warning']`; `media-jam` → `['media-jam', null]`. */
export function splitReasonSuffix(raw: string): readonly [string, Severity | null] {
  for (const [suffix, severity] of SUFFIXES) {
    if (raw.length > suffix.length && raw.endsWith(suffix)) {
      return [raw.slice(0, -suffix.length), severity];
    }
  }
  return [raw, null];
}

/**
 * Severity rule for printer-state-reasons. The spec ties the suffix to severity (RFC 8011
 * §5.4.12), but in practice the suffix follows the printer state: ippeveprinter says `-report`
 * while idle and `-warning` while printing, and CUPS turns a device's `media-empty-report` into
 * `media-empty-warning`. So: take the stronger of the suffix and the keyword's default, and cap
 * at warning unless the printer is stopped (only then is it really not printing). Without a
 * default (an unknown keyword) the suffix is all there is to go on.
 */
function applySuffixRule(
  suffix: Severity | null,
  keywordDefault: Severity | null,
  printerState: PrinterState,
): Severity {
  let severity: Severity = keywordDefault ?? suffix ?? 'warning';
  if (suffix !== null && SEVERITY_RANK[suffix] > SEVERITY_RANK[severity]) severity = suffix;
  return severity === 'error' && printerState !== 'stopped' ? 'warning' : severity;
}

/**
 * What one printer-state-reason means, how bad it is right now, and what to do. Vendor and
 * unknown keywords are explained as `other`, keeping the keyword so IT can look it up.
 */
export function explainPrinterReason(
  raw: string,
  printerState: PrinterState,
): PrinterReasonExplanation {
  // A keyword known whole wins: `cups-certificate-error` is a name, not `cups-certificate` + error.
  const whole = exactPrinterReasons.get(raw);
  const [keyword, suffix] = whole !== undefined ? [raw, null] : splitReasonSuffix(raw);
  const entry = whole ?? findPrinterReason(keyword);
  if (entry !== undefined) {
    return {
      keyword,
      raw,
      severity: applySuffixRule(suffix, entry.severity, printerState),
      known: true,
      vendor: false,
      title: entry.title,
      meaning: entry.meaning,
      fix: entry.fix,
    };
  }
  return {
    keyword,
    raw,
    severity: applySuffixRule(suffix, null, printerState),
    known: false,
    vendor: isVendorKeyword(keyword),
    title: readableKeyword(keyword) || 'Needs attention',
    meaning: `The printer reports a condition Printo Help does not know: ${keyword}.`,
    fix: {
      title: 'Check the printer',
      steps: [
        "Look at the printer's display or control panel for a message and follow it.",
        `If you cannot tell what is wrong, contact IT and give them this code: ${keyword}.`,
      ],
    },
  };
}

/** Severity of one raw printer-state-reason while the printer is in `printerState`. */
export function reasonSeverity(raw: string, printerState: PrinterState): Severity {
  return explainPrinterReason(raw, printerState).severity;
}

/** What one job-state-reason means and what to do; unknown keywords get a generic answer. */
export function explainJobReason(keyword: string): JobReasonExplanation {
  const entry = jobReasons.get(keyword);
  if (entry !== undefined) return { ...entry, known: true };
  return {
    keyword,
    known: false,
    title: readableKeyword(keyword) || 'Needs attention',
    meaning: `The print system reports something about this job that Printo Help does not know: ${keyword}.`,
    fix: {
      title: 'Print it again',
      steps: [
        'If the job does not print, cancel it and print it again.',
        `If it still does not print, contact IT and give them this code: ${keyword}.`,
      ],
    },
  };
}
