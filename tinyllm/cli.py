"""The ``tinyllm`` command. Each sub-command lives in the module that owns its work; this
file only maps names to ``module:function`` (each taking ``argv`` and returning an exit
code), so ``tinyllm --help`` stays fast and nothing heavy is imported until needed."""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "demo": ("tinyllm.demo:main", "the main job: train the book's networks on the built-in "
                                  "corpus and show what they learned"),
    "gradcheck": ("tinyllm.ops.gradcheck_cli:main", "check every op's backward against finite "
                                                    "differences and print the table"),
    "train-gpt": ("tinyllm.models.gpt_cli:train_main", "pretrain a GPT on a text file "
                                                       "(built-in corpus by default)"),
    "generate": ("tinyllm.models.gpt_cli:generate_main", "stream text from a GPT checkpoint "
                                                         "with a decoding strategy"),
    "perplexity": ("tinyllm.models.gpt_cli:perplexity_main", "perplexity of a GPT checkpoint "
                                                             "on a text file"),
}


def _usage() -> str:
    lines = ["usage: tinyllm <command> [options]", "", "commands:"]
    lines += [f"  {name:<12} {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "Run 'tinyllm <command> --help' for a command's options."]
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"tinyllm: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    target = COMMANDS[name][0]
    module_name, func_name = target.split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    try:
        return int(func(rest) or 0)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
