#include "tools/cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/strip.h"
#include "snapshot/file_system.h"
#include "snapshot/format.h"

namespace repro {
namespace {

// Our flags: those defined in tools/, not the libraries' own.
bool IsToolFlag(const absl::CommandLineFlag& flag) {
  return absl::StrContains(flag.Filename(), "tools/");
}

void PrintHelp(absl::string_view usage) {
  std::cout << usage << "\n\nFlags:\n";
  std::map<std::string, absl::CommandLineFlag*> sorted;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (IsToolFlag(*flag)) sorted[std::string(name)] = flag;
  }
  for (const auto& [name, flag] : sorted) {
    std::cout << "  --" << name << "  " << flag->Help()
              << " (default: " << flag->DefaultValue() << ")\n";
  }
  std::cout << "  --help  print this help\n";
}

}  // namespace

void FailUsage(absl::string_view tool, absl::string_view message) {
  std::fprintf(stderr, "%s: %s\n", std::string(tool).c_str(),
               std::string(message).c_str());
  std::exit(2);
}

std::vector<std::string> ParseToolFlags(int argc, char** argv,
                                        absl::string_view tool,
                                        absl::string_view usage,
                                        bool stop_at_first_positional) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") {
      for (++i; i < argc; ++i) positional.emplace_back(argv[i]);
      break;
    }
    if (!absl::StartsWith(arg, "-") || arg == "-") {
      if (stop_at_first_positional) {
        for (; i < argc; ++i) positional.emplace_back(argv[i]);
        break;
      }
      positional.emplace_back(arg);
      continue;
    }
    if (arg == "--help" || arg == "-h" || arg == "-help" || arg == "--helpfull") {
      PrintHelp(usage);
      std::exit(0);
    }
    absl::string_view body = absl::StripPrefix(absl::StripPrefix(arg, "-"), "-");
    std::string name(body.substr(0, body.find('=')));
    const bool has_value = body.find('=') != absl::string_view::npos;
    std::string value(has_value ? body.substr(body.find('=') + 1) : "");
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if ((flag == nullptr || !IsToolFlag(*flag)) && !has_value &&
        absl::StartsWith(name, "no")) {
      absl::CommandLineFlag* negated = absl::FindCommandLineFlag(name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>()) {
        flag = negated;
        value = "false";
      }
    }
    if (flag == nullptr || !IsToolFlag(*flag)) {
      FailUsage(tool, absl::StrCat("unknown flag ", arg, " (see --help)"));
    }
    if (!has_value && value.empty()) {
      if (flag->IsOfType<bool>()) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        FailUsage(tool, absl::StrCat("flag --", name, " needs a value"));
      }
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      FailUsage(tool, absl::StrCat("--", name, "=", value, ": ", error));
    }
  }
  return positional;
}

std::string ResolveUserPath(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  return wd ? absl::StrCat(wd, "/", path) : path;
}

std::string DisplayPath(const std::string& path) {
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (wd == nullptr) return path;
  std::string prefix = absl::StrCat(wd, "/");
  return absl::StartsWith(path, prefix) ? path.substr(prefix.size()) : path;
}

std::vector<std::string> ExpandSnapshotArgs(const std::vector<std::string>& args,
                                            std::vector<std::string>* missing) {
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    const std::string path = ResolveUserPath(arg);
    absl::StatusOr<std::vector<std::string>> listed =
        FileSystem::Default().List(path, kSnapshotExtension);
    if (listed.ok()) {
      files.insert(files.end(), listed->begin(), listed->end());
    } else if (access(path.c_str(), F_OK) == 0) {
      files.push_back(path);
    } else {
      missing->push_back(absl::StrCat(arg, ": no such file or folder"));
    }
  }
  return files;
}

absl::StatusOr<std::string> BazelPackageOf(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path abs = fs::absolute(dir, ec).lexically_normal();
  if (ec) return absl::InvalidArgumentError(absl::StrCat(dir, ": ", ec.message()));
  for (fs::path p = abs;; p = p.parent_path()) {
    if (fs::exists(p / "WORKSPACE", ec) || fs::exists(p / "WORKSPACE.bazel", ec)) {
      std::string rel = abs.lexically_relative(p).generic_string();
      if (rel == ".") rel.clear();
      while (!rel.empty() && rel.back() == '/') rel.pop_back();
      return rel;
    }
    if (p == p.parent_path()) break;
  }
  return absl::NotFoundError(absl::StrCat(
      dir, " is not inside a Bazel workspace (no WORKSPACE file above it)"));
}

bool IsBazelLabel(absl::string_view label) {
  // Written out rather than a regex: the label grammar is small.
  const auto is_name = [](absl::string_view s, absl::string_view extra) {
    if (s.empty()) return false;
    for (char c : s) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
          extra.find(c) == absl::string_view::npos) {
        return false;
      }
    }
    return true;
  };
  if (absl::ConsumePrefix(&label, "@")) {
    const size_t slashes = label.find("//");
    if (slashes == absl::string_view::npos || !is_name(label.substr(0, slashes), "_.-")) {
      return false;
    }
    label.remove_prefix(slashes);
  }
  if (!absl::ConsumePrefix(&label, "//")) return false;
  const size_t colon = label.find(':');
  const absl::string_view package = label.substr(0, colon);
  if (!package.empty() && !is_name(package, "_.-/")) return false;
  if (colon == absl::string_view::npos) return !package.empty();
  return is_name(label.substr(colon + 1), "_.-/+=,@~");
}

std::vector<std::string> KernelDepsOrDie(absl::string_view tool, absl::string_view flag) {
  std::vector<std::string> labels = absl::StrSplit(flag, ',');
  for (const std::string& label : labels) {
    if (!IsBazelLabel(label)) {
      FailUsage(tool, absl::StrCat("--kernel_deps: '", label,
                                   "' is not a Bazel label (//package:target)"));
    }
  }
  return labels;
}

}  // namespace repro
