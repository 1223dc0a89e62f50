// @ts-check
/**
 * `local/layers`: each layer of the repository lists what it may import; anything unlisted is
 * an error (the model is VS Code's `code-import-patterns`). ARCHITECTURE.md, "Rules of the house".
 *
 * Why a rule of our own: `no-restricted-imports` and eslint-plugin-import-x's
 * `no-restricted-paths` are deny-lists — a folder or a package nobody thought of passes
 * silently, which is how src-main/app, src-main/preload and npm packages in src-shared
 * escaped the rules before — and neither can say "these npm packages and nothing else".
 * The check is small: turn each module specifier into one id and match it against globs.
 *
 * Ids: a relative specifier becomes the repository path it points at (`src-shared/model/job.ts`);
 * a Node built-in becomes `node:name`, with or without the prefix in the source; anything else
 * is the bare specifier as written (`zod`, `react-dom/client`), so a package's entry points are
 * listed one by one.
 *
 * Globs (for `files` and `allow`): `**` matches anything, `*` anything but `/`; an `allow`
 * entry starting with `!` takes matching ids back out. A layer that allows `**` is not checked.
 * The first layer whose `files` match a file is its layer; a file in no layer is reported, so a
 * new folder is a decision, not a hole.
 *
 * Checked: `import`, `import type`, `export … from`, `import()` and `require()` with a string
 * literal (any other argument is reported: it cannot be checked), `import x = require()`,
 * `typeof import('…')` types and `/// <reference types|path>` directives.
 */
import { isBuiltin } from 'node:module';
import path from 'node:path';

/** The repository: this file lives in `<root>/eslint/`. */
const root = path.dirname(import.meta.dirname);

/**
 * @typedef {{ name: string, files: string[], allow: string[], why: string }} Layer
 */

/** @type {Map<string, RegExp>} */
const globCache = new Map();

/** @param {string} glob */
const globToRegExp = (glob) => {
  let re = globCache.get(glob);
  if (re === undefined) {
    const body = glob
      .split(/(\*\*|\*)/)
      .map((part) =>
        part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('');
    re = new RegExp(`^${body}$`);
    globCache.set(glob, re);
  }
  return re;
};

/** @param {string} id @param {string} glob */
const matches = (id, glob) => globToRegExp(glob).test(id);

/** @param {string} file absolute */
const repoPath = (file) => path.relative(root, file).split(path.sep).join('/');

/**
 * @param {string} specifier as written
 * @param {string} fromFile absolute path of the importing file
 */
export const moduleId = (specifier, fromFile) => {
  if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
    return repoPath(path.resolve(path.dirname(fromFile), specifier));
  }
  if (isBuiltin(specifier)) return specifier.startsWith('node:') ? specifier : `node:${specifier}`;
  return specifier;
};

/** @param {Layer} layer @param {string} id */
const allowed = (layer, id) =>
  layer.allow.some((glob) => !glob.startsWith('!') && matches(id, glob)) &&
  !layer.allow.some((glob) => glob.startsWith('!') && matches(id, glob.slice(1)));

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer imports only what its allow-list names' },
    schema: [
      {
        type: 'object',
        properties: {
          layers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                files: { type: 'array', items: { type: 'string' } },
                allow: { type: 'array', items: { type: 'string' } },
                why: { type: 'string' },
              },
              required: ['name', 'files', 'allow', 'why'],
              additionalProperties: false,
            },
          },
        },
        required: ['layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      notAllowed:
        "{{layer}} may not import '{{id}}' (it is not on its allow-list in eslint.config.js): {{why}}",
      notLiteral:
        '{{layer}}: a module name that is not a string literal cannot be checked against the allow-list; write it out.',
      noLayer:
        "'{{file}}' belongs to no layer: add its folder to the layers in eslint.config.js with what it may import.",
    },
  },
  create(context) {
    const [{ layers }] = /** @type {[{ layers: Layer[] }]} */ (context.options);
    const file = context.filename;
    const relative = repoPath(file);
    const layer = layers.find((l) => l.files.some((glob) => matches(relative, glob)));
    if (layer === undefined) {
      return {
        Program(node) {
          context.report({ node, messageId: 'noLayer', data: { file: relative } });
        },
      };
    }
    if (layer.allow.includes('**')) return {};

    /**
     * @param {{ node: import('estree').Node } | { loc: import('estree').SourceLocation }} where
     * @param {string} specifier
     */
    const check = (where, specifier) => {
      const id = moduleId(specifier, file);
      if (!allowed(layer, id)) {
        context.report({
          ...where,
          messageId: 'notAllowed',
          data: { layer: layer.name, id, why: layer.why },
        });
      }
    };
    /**
     * The specifier of a module-name expression, or undefined when it is not a constant string.
     * @param {any} node
     * @returns {string | undefined}
     */
    const literal = (node) => {
      if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
      if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) {
        return node.quasis[0].value.cooked;
      }
      return undefined;
    };
    /** @param {import('estree').Node} node @param {any} argument */
    const checkExpression = (node, argument) => {
      const specifier = literal(argument);
      if (specifier === undefined) {
        context.report({ node, messageId: 'notLiteral', data: { layer: layer.name } });
      } else {
        check({ node }, specifier);
      }
    };

    return {
      Program() {
        // A types reference would bring, say, Node's types into src-shared without an import.
        for (const comment of context.sourceCode.getAllComments()) {
          const reference = /^\/\s*<reference\s+(types|path)\s*=\s*["']([^"']+)["']/.exec(
            comment.value,
          );
          if (comment.type !== 'Line' || reference === null || !comment.loc) continue;
          const [, kind, target = ''] = reference;
          const relative = target.startsWith('.') || path.isAbsolute(target);
          check(
            { loc: comment.loc },
            kind === 'types' ? `@types/${target}` : relative ? target : `./${target}`,
          );
        }
      },
      ImportDeclaration(node) {
        check({ node }, String(node.source.value));
      },
      ExportNamedDeclaration(node) {
        if (node.source) check({ node }, String(node.source.value));
      },
      ExportAllDeclaration(node) {
        check({ node }, String(node.source.value));
      },
      ImportExpression(node) {
        checkExpression(node, node.source);
      },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
          checkExpression(node, node.arguments[0]);
        }
      },
      /** @param {any} node */
      TSExternalModuleReference(node) {
        checkExpression(node, node.expression);
      },
      /** @param {any} node */
      TSImportType(node) {
        // typescript-eslint 8 has `source`; `argument` (a literal type) is its deprecated name.
        checkExpression(node, 'source' in node ? node.source : node.argument?.literal);
      },
    };
  },
};

export default { rules: { layers: layersRule } };
