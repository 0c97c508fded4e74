; Inno Setup script for the EMRWriter installer (Windows 10/11, x64).
;
; Built by .github/workflows/windows.yml after `python packaging/build.py` has made
; dist\EMRWriter (the PyInstaller folder) and build\icons\emrwriter.ico:
;
;   iscc /DAppVersion=0.1.0 packaging\windows\emrwriter.iss
;
; -> dist\EMRWriter-0.1.0-setup.exe. Per-machine install into Program Files (needs an
; administrator, as hospital IT deploys), Start menu entries in Chinese and English, the
; site configuration's example in %PROGRAMDATA%\EMRWriter. Silent deployment:
;
;   EMRWriter-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LANG=chinesesimplified
;
; Uninstalling removes the program only: the user's drafts and settings
; (%LOCALAPPDATA%\EMRWriter) and the site's config.toml (%PROGRAMDATA%\EMRWriter) stay.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define Root "..\.."

[Setup]
AppId={{6B1C2A53-7E0B-4D7B-9D63-3F0A8E1C2E51}
AppName=EMRWriter
AppVersion={#AppVersion}
AppVerName=EMRWriter {#AppVersion}
AppPublisher=EMRWriter
DefaultDirName={autopf}\EMRWriter
DefaultGroupName=EMRWriter
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#Root}\dist
OutputBaseFilename=EMRWriter-{#AppVersion}-setup
SetupIconFile={#Root}\build\icons\emrwriter.ico
UninstallDisplayIcon={app}\emrwriter.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto
CloseApplications=yes

[Languages]
; Inno Setup 6.5 and later ship ChineseSimplified.isl; for an older compiler the workflow
; puts the translation from Inno Setup's "Unofficial" folder beside this script.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
Name: "chinesesimplified"; MessagesFile: "ChineseSimplified.isl"
#endif
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
chinesesimplified.AppTitle=出院记录助手 EMRWriter
english.AppTitle=EMRWriter
chinesesimplified.AppComment=根据本地病历离线起草出院小结
english.AppComment=Draft discharge summaries from a patient's local records, offline
chinesesimplified.Diagnostics=出院记录助手 自检 (doctor)
english.Diagnostics=EMRWriter self-check (doctor)
chinesesimplified.DesktopIcon=创建桌面快捷方式
english.DesktopIcon=Create a desktop shortcut

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\EMRWriter\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#Root}\docs\config.example.toml"; DestDir: "{commonappdata}\EMRWriter"; Flags: ignoreversion

[Dirs]
; The site configuration's folder stays when the program is uninstalled.
Name: "{commonappdata}\EMRWriter"; Flags: uninsneveruninstall

[Icons]
; emrwriterw.exe is the same program without a console window (the desktop app).
Name: "{autoprograms}\{cm:AppTitle}"; Filename: "{app}\emrwriterw.exe"; Comment: "{cm:AppComment}"
Name: "{autoprograms}\{cm:Diagnostics}"; Filename: "{cmd}"; Parameters: "/k ""{app}\emrwriter.exe"" doctor"; WorkingDir: "{app}"
Name: "{autodesktop}\{cm:AppTitle}"; Filename: "{app}\emrwriterw.exe"; Comment: "{cm:AppComment}"; Tasks: desktopicon

[Run]
Filename: "{app}\emrwriterw.exe"; Description: "{cm:LaunchProgram,{cm:AppTitle}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program itself wrote inside its own folder (Python's bytecode caches).
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
