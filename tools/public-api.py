#!/usr/bin/env python3
# Brings a project's PublicAPI.Unshipped.txt in line with its public surface, from the analyzer's RS0016/RS0017
# reports: `python3 tools/public-api.py src/Gateway.Client/Gateway.Client.csproj`. Review the diff it leaves.
import subprocess,re,sys,os
proj=sys.argv[1]; d=os.path.dirname(proj)
# One target framework is enough (the API is the same in each; package validation checks that): the project's last one.
tfms=re.search(r'<TargetFrameworks?>([^<]+)<',open(proj).read()); tfm=tfms.group(1).split(';')[-1].strip() if tfms else 'net10.0'
tfm='net10.0' if 'net10.0' in (tfms.group(1) if tfms else '') else tfm
for it in range(4):
    out=subprocess.run(['dotnet','build',proj,'-f',tfm,'--no-restore' if it else '--nologo','-nologo'],capture_output=True,text=True).stdout
    add=set(re.findall(r"RS0016: Symbol '(.+?)' is not part of the declared public API",out))
    rem=set(re.findall(r"RS0017: Symbol '(.+?)' is part of the declared API, but is either not public or could not be found",out))
    if not add and not rem: break
    for fn in ('PublicAPI.Shipped.txt','PublicAPI.Unshipped.txt'):
        p=os.path.join(d,fn); lines=open(p).read().split('\n')
        lines=[l for l in lines if l not in rem]
        if fn.endswith('Unshipped.txt'):
            lines=[l for l in lines if l]+sorted(add)
        open(p,'w').write('\n'.join(l for l in lines if l or False)+'\n')
    print('iteration',it,'added',len(add),'removed',len(rem))
print('\n'.join(sorted(set(l for l in out.split('\n') if 'error' in l and 'RS00' not in l))[:30]))
